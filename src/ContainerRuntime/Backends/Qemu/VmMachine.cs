namespace ContainerTest.ContainerRuntime.Backends.Qemu;

/// <summary>What every VM of a backend shares: the emulator, the launcher, the kernel, the initramfs and the accelerator.</summary>
internal sealed record VmMachine(QemuInstallation Qemu, VmAssets Assets, GuestKernel Kernel, KernelModules Modules, string Initramfs, QemuAccelerator Accelerator, LiveVms Live);
