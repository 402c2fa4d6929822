namespace ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;

/// <summary>A tmpfs mounted fresh in every sandbox.</summary>
/// <param name="Path">Absolute path inside the sandbox.</param>
/// <param name="SizeBytes">Its size limit; writes past it fail with ENOSPC.</param>
/// <param name="Mode">Permission bits of its root (01777 for /tmp).</param>
internal sealed record SandboxTmpfs(string Path, long SizeBytes, int Mode);
