namespace ContainerTest.ContainerRuntime.Backends.Qemu;

/// <summary>A root file system: its disk image and the image's environment (<c>NAME=value</c>).</summary>
internal sealed record VmRootImage(string Disk, IReadOnlyList<string> Environment);
