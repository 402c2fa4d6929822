namespace ContainerTest.ContainerRuntime.Jobs;

/// <summary>A file system mounted into the job's container at <see cref="ContainerPath"/>.</summary>
public abstract record MountSpec(string ContainerPath);

/// <summary>A memory-backed, writable file system of at most <paramref name="SizeBytes"/>, gone with the container.</summary>
/// <param name="ContainerPath">Absolute path inside the container.</param>
/// <param name="SizeBytes">Upper bound of what can be written; writes past it fail with ENOSPC.</param>
/// <param name="Mode">Permission bits of the mount's root (octal 1777 by default: anyone may create, sticky).</param>
public sealed record TmpfsMount(string ContainerPath, long SizeBytes, int Mode = 0x3FF /* 01777 */) : MountSpec(ContainerPath);

/// <summary>The proc file system (processes, <c>ps</c>) at <see cref="MountSpec.ContainerPath"/>.</summary>
public sealed record ProcMount(string ContainerPath = "/proc") : MountSpec(ContainerPath);
