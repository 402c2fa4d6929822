namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Globalization;

/// <summary>
/// The arguments QEMU gets for one VM: a q35 machine (QEMU's microvm finds its virtio devices only
/// through ACPI or the kernel command line, and Debian's kernel hangs calibrating its clock under
/// microvm with ACPI and lacks virtio-mmio command-line devices), no default devices, no display,
/// no firmware menu, no reboot; the kernel and initramfs given directly; virtio-blk disks,
/// virtio-9p shares, a virtio-serial controller with the control and stream ports (QEMU connects
/// to the backend's sockets), QMP on a socket, the console (first serial port) to a log file, a
/// second serial port for an interactive job's terminal, and a network device only when asked.
/// </summary>
internal static class QemuCommandLine
{
    /// <summary>The kernel's command line: quiet, the console on the first serial port, panic ends the VM, no timer check (it fails under a loaded TCG host).</summary>
    public const string KernelArguments = "console=ttyS0 quiet loglevel=3 panic=-1 no_timer_check tsc=reliable rdinit=/init";

    /// <summary>
    /// The CPU under TCG: x86-64-v2 (what .NET needs), not QEMU's <c>max</c>, under which a .NET
    /// stack overflow never ends (its handler loops instead of aborting; seen with QEMU 7.2), and
    /// which costs as much CPU. Under KVM: the host's own.
    /// </summary>
    public const string EmulatedCpu = "qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+cx16";

    /// <summary>The arguments; <paramref name="folder"/> holds the sockets (see <see cref="VmSockets"/>).</summary>
    public static IReadOnlyList<string> Build(VmMachine machine, VmLayout layout, string folder, bool incoming)
    {
        var accelerator = machine.Accelerator == QemuAccelerator.Kvm ? "kvm" : "tcg";
        var arguments = new List<string>
        {
            "-name", "containertest-" + Path.GetFileName(folder),
            "-machine", $"q35,accel={accelerator},smbus=off,sata=off,vmport=off",
            "-cpu", machine.Accelerator == QemuAccelerator.Kvm ? "host" : EmulatedCpu,
            "-m", layout.MemoryMiB.ToString(CultureInfo.InvariantCulture),
            "-smp", layout.Cpus.ToString(CultureInfo.InvariantCulture),
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-kernel", machine.Kernel.Image,
            "-initrd", machine.Initramfs,
            "-append", KernelArguments,
            "-serial", "file:" + Path.Combine(folder, VmSockets.ConsoleLog),
            "-chardev", $"socket,id=qmp,path={Path.Combine(folder, VmSockets.Qmp)}",
            "-mon", "chardev=qmp,mode=control",
            "-device", "vmgenid,guid=auto",
        };
        if (layout.Terminal)
        {
            arguments.AddRange(["-chardev", $"socket,id=term,path={Path.Combine(folder, VmSockets.Terminal)}", "-serial", "chardev:term"]);
        }

        foreach (var disk in layout.Disks)
        {
            arguments.AddRange(["-drive", $"file={Escape(disk.Image)},if=none,id=d{disk.Serial},format=raw,readonly=on,cache=unsafe",
                "-device", $"virtio-blk-pci,drive=d{disk.Serial},serial={disk.Serial}"]);
        }

        foreach (var share in layout.Shares)
        {
            arguments.AddRange(["-fsdev", $"local,id=f{share.Tag},path={Escape(share.HostPath)},security_model=none,readonly=on",
                "-device", $"virtio-9p-pci,fsdev=f{share.Tag},mount_tag={share.Tag}"]);
        }

        arguments.AddRange(["-device", "virtio-serial-pci,id=vs,max_ports=8"]);
        foreach (var (name, socket) in VmSockets.Ports(layout))
        {
            arguments.AddRange(["-chardev", $"socket,id=p{name},path={Path.Combine(folder, socket)}", "-device", $"virtserialport,bus=vs.0,chardev=p{name},name=ct.{name}"]);
        }

        if (layout.Network)
        {
            arguments.AddRange(["-netdev", "user,id=net0", "-device", "virtio-net-pci,netdev=net0"]);
        }

        if (incoming)
        {
            arguments.AddRange(["-S", "-incoming", "defer"]);
        }

        return arguments;
    }

    /// <summary>QEMU's option syntax doubles a comma inside a value.</summary>
    private static string Escape(string path) => path.Replace(",", ",,", StringComparison.Ordinal);
}
