namespace ContainerTest.Reaper;

/// <summary>One container as the engine lists it.</summary>
/// <param name="Id">Its full id.</param>
/// <param name="State"><c>created</c>, <c>running</c>, <c>exited</c>…</param>
/// <param name="Created">When the engine created it (to the second).</param>
internal sealed record ContainerEntry(string Id, string State, DateTimeOffset Created);
