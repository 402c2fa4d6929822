namespace ContainerTest.ContainerRuntime.Backends.Qemu;

/// <summary>A Linux kernel the VMs boot, with the folder of its modules.</summary>
/// <param name="Image">The bzImage (<c>vmlinuz-…</c>).</param>
/// <param name="Version">Its release (<c>6.1.0-57-amd64</c>), read from the image's header.</param>
/// <param name="ModulesDirectory">Its <c>lib/modules/&lt;version&gt;</c>; null when none was found (a kernel with every driver built in).</param>
internal sealed record GuestKernel(string Image, string Version, string? ModulesDirectory);
