namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>The QEMU system emulator for the host's architecture, found on PATH (or where the options say).</summary>
[SupportedOSPlatform("linux")]
internal sealed record QemuInstallation(string Path)
{
    /// <summary>The emulator's name for this machine's architecture: <c>qemu-system-x86_64</c>, <c>qemu-system-aarch64</c>.</summary>
    public static string ProgramName => "qemu-system-" + RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.Arm64 => "aarch64",
        _ => "x86_64",
    };

    /// <summary>Finds the emulator.</summary>
    /// <exception cref="BackendUnavailableException">It is not installed (or not where the options say).</exception>
    public static QemuInstallation Locate(string? configured)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new BackendUnavailableException(
                $"The qemu backend runs on Linux x64 hosts only (this is {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}). Use ContainerTestBackend=docker here.",
                RetryClass.NotRetryable);
        }

        if (configured is not null)
        {
            return File.Exists(configured)
                ? new QemuInstallation(configured)
                : throw new BackendUnavailableException($"QEMU is not at '{configured}'. Install it (Debian/Ubuntu: sudo apt-get install qemu-system-x86) or name the right file.", RetryClass.NotRetryable);
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(directory, ProgramName);
            if (File.Exists(candidate))
            {
                return new QemuInstallation(candidate);
            }
        }

        throw new BackendUnavailableException(
            $"ContainerTestBackend=qemu runs each test in a QEMU virtual machine, but QEMU is not installed: no {ProgramName} on PATH. "
            + "Install it (Debian/Ubuntu: sudo apt-get install --no-install-recommends qemu-system-x86; Fedora: sudo dnf install qemu-system-x86-core), or set ContainerTestBackend=docker.",
            RetryClass.NotRetryable);
    }
}
