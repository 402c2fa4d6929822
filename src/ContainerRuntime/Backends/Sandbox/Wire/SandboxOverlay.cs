namespace ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;

/// <summary>
/// A directory every sandbox sees as a private copy-on-write overlay: <paramref name="Lowers"/>,
/// folders of the worker (read-only there), stacked bottom first — later ones win file by file —
/// with a fresh, throw-away upper layer per sandbox.
/// </summary>
/// <param name="Path">Where the sandbox sees it.</param>
/// <param name="Lowers">The worker's folders it is made of, bottom first (the first is <paramref name="Path"/> itself).</param>
internal sealed record SandboxOverlay(string Path, IReadOnlyList<string> Lowers);
