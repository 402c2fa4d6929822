namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

/// <summary>
/// KVM when <c>/dev/kvm</c> is there, may be opened, and actually runs the guest kernel; TCG
/// (software emulation) otherwise, with the reason and the fix in <see cref="Notice"/>. Whether KVM
/// runs a guest is tried once, by booting the kernel to its init, and the verdict is kept for the
/// host's boot (a nested hypervisor may offer /dev/kvm and still be unable to run a standard
/// kernel, as this project's own CI machine does).
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed record AcceleratorChoice(QemuAccelerator Accelerator, string Notice)
{
    /// <summary>The device through which QEMU uses KVM.</summary>
    internal const string KvmDevice = "/dev/kvm";

    private const string TcgCost =
        "Emulated code runs many times slower than on the CPU (here a .NET test process costs seconds of CPU instead of tenths), so tests take much longer than in containers; "
        + "each VM still starts from a saved state with the test's process already waiting, which saves most of a boot and a .NET start per test.";

    /// <summary>Decides, probing KVM with <paramref name="probe"/> (true when a VM booted under KVM) when needed.</summary>
    public static async Task<AcceleratorChoice> ChooseAsync(QemuAccelerator? forced, string kernelImage, string qemuPath, Func<CancellationToken, Task<string?>> probe, CancellationToken cancellationToken)
    {
        if (forced == QemuAccelerator.Tcg)
        {
            return Tcg("TCG was asked for (QemuBackendOptions.Accelerator)", string.Empty);
        }

        if (forced == QemuAccelerator.Kvm)
        {
            return new AcceleratorChoice(QemuAccelerator.Kvm, "ContainerTest: each test runs in a QEMU virtual machine of its own, accelerated by KVM (as asked).");
        }

        if (FromDevice(KvmDevice) is { } unusable)
        {
            return unusable;
        }

        var verdictFile = Path.Combine(RuntimeCache.Root, "qemu", "kvm-" + Key(kernelImage, qemuPath) + ".txt");
        string? failure;
        if (File.Exists(verdictFile))
        {
            var text = await File.ReadAllTextAsync(verdictFile, cancellationToken).ConfigureAwait(false);
            failure = text.StartsWith("ok", StringComparison.Ordinal) ? null : text;
        }
        else
        {
            failure = await probe(cancellationToken).ConfigureAwait(false);
            Directory.CreateDirectory(Path.GetDirectoryName(verdictFile)!);
            await File.WriteAllTextAsync(verdictFile, failure ?? "ok", cancellationToken).ConfigureAwait(false);
        }

        return failure is null
            ? new AcceleratorChoice(QemuAccelerator.Kvm, "ContainerTest: each test runs in a QEMU virtual machine of its own, accelerated by KVM (/dev/kvm); each VM starts from a saved state with the test's process already waiting.")
            : Tcg(
                $"KVM is present but cannot run the guest kernel here ({failure.Trim()})",
                $" This happens under nested hypervisors that offer /dev/kvm without full virtualization; on a machine where KVM works, it is used. (The verdict is kept until the next boot in {verdictFile}.)");
    }

    /// <summary>
    /// TCG, with the reason and the fix, when <paramref name="device"/> (the KVM device) is missing
    /// or this process's user may not open it for reading and writing; null when it opens.
    /// </summary>
    internal static AcceleratorChoice? FromDevice(string device)
    {
        if (!File.Exists(device))
        {
            return Tcg(
                $"this machine has no {device} (no hardware virtualization, or it is switched off, or the kvm module is not loaded)",
                " For KVM: enable virtualization (VT-x/AMD-V) in the firmware or, in a cloud VM, choose a machine type with nested virtualization, then `sudo modprobe kvm_intel` (or kvm_amd).");
        }

        try
        {
            using var open = new FileStream(device, FileMode.Open, FileAccess.ReadWrite);
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return Tcg(
                $"{device} is there but this user may not use it (KVM present but not permitted)",
                $" For KVM: add the user to the group owning {device} (`sudo usermod -aG kvm {Environment.UserName}`, then log in again).");
        }
        catch (IOException ex)
        {
            return Tcg($"{device} cannot be opened ({ex.Message})", " Check that the kvm module is loaded and working (`dmesg | grep -i kvm`).");
        }
    }

    private static AcceleratorChoice Tcg(string reason, string fix) =>
        new(QemuAccelerator.Tcg, $"ContainerTest: each test runs in a QEMU virtual machine of its own under TCG, QEMU's software emulation, because {reason}. {TcgCost}{fix}");

    /// <summary>The host's boot, QEMU and the kernel: a verdict holds while none of them changes.</summary>
    private static string Key(string kernelImage, string qemuPath)
    {
        var boot = File.Exists("/proc/sys/kernel/random/boot_id") ? File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim() : string.Empty;
        var text = $"{boot}|{qemuPath}|{new FileInfo(qemuPath).LastWriteTimeUtc.Ticks}|{kernelImage}|{new FileInfo(kernelImage).Length}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();
    }
}
