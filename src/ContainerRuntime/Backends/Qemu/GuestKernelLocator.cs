namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Runtime.Versioning;
using System.Text;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// Finds the kernel the VMs boot: the configured one (<c>ContainerTestKernel</c>), else the newest
/// in the runtime cache's <c>kernels/</c> folder (where <c>nuget/native/kernel.sh</c> unpacks
/// Debian's), else the host's own <c>/boot/vmlinuz-&lt;running release&gt;</c>, else the newest
/// <c>/boot/vmlinuz-*</c>. A kernel's modules are in <c>lib/modules/&lt;version&gt;</c> beside its
/// <c>boot/</c> folder, or in the host's <c>/lib/modules/&lt;version&gt;</c>.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class GuestKernelLocator
{
    /// <summary>How to get a kernel, for messages.</summary>
    public const string HowToGetOne =
        "On Debian or Ubuntu, nuget/native/kernel.sh of the ContainerTest repository downloads Debian's linux-image-amd64 package with apt-get and unpacks the kernel and the drivers a VM needs into the runtime cache (~/.cache/containertest/kernels/), where ContainerTest looks; "
        + "elsewhere, set ContainerTestKernel to a vmlinuz with virtio (PCI, block, console), 9p and overlay drivers, built in or as modules in lib/modules/<version> beside its boot/ folder (see the README).";

    /// <summary>The kernel to boot.</summary>
    /// <exception cref="BackendUnavailableException">None was found, or the configured one is not a kernel.</exception>
    public static GuestKernel Locate(string? configured)
    {
        if (configured is not null)
        {
            return FromConfigured(configured);
        }

        var cached = Path.Combine(RuntimeCache.Root, "kernels");
        var candidates = new List<string>();
        if (Directory.Exists(cached))
        {
            candidates.AddRange(Directory.EnumerateDirectories(cached).SelectMany(d => Images(Path.Combine(d, "boot"))).OrderByDescending(Path.GetFileName, VersionOrder.Instance));
        }

        var release = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : null;
        if (release is not null)
        {
            candidates.Add("/boot/vmlinuz-" + release);
        }

        candidates.AddRange(Images("/boot").OrderByDescending(Path.GetFileName, VersionOrder.Instance));
        var unreadable = new List<string>();
        foreach (var candidate in candidates.Distinct(StringComparer.Ordinal).Where(File.Exists))
        {
            if (TryRead(candidate, out var kernel, out var problem))
            {
                return kernel!;
            }

            unreadable.Add($"{candidate} ({problem})");
        }

        throw new BackendUnavailableException(
            "No kernel was found for the test VMs (ContainerTestBackend=qemu boots a Linux kernel of its own for each test)"
            + (unreadable.Count > 0 ? $"; these could not be read: {string.Join(", ", unreadable)} (Ubuntu keeps /boot/vmlinuz-* readable by root only)" : string.Empty)
            + ". " + HowToGetOne,
            RetryClass.NotRetryable);
    }

    private static GuestKernel FromConfigured(string configured)
    {
        var path = Path.GetFullPath(configured);
        if (Directory.Exists(path))
        {
            var image = Images(Path.Combine(path, "boot")).Concat(Images(path)).OrderByDescending(Path.GetFileName, VersionOrder.Instance).FirstOrDefault()
                ?? throw new BackendUnavailableException($"ContainerTestKernel names the folder '{path}', which holds no boot/vmlinuz-* (nor vmlinuz-*). {HowToGetOne}", RetryClass.NotRetryable);
            path = image;
        }

        if (!File.Exists(path))
        {
            throw new BackendUnavailableException($"ContainerTestKernel names '{path}', which does not exist. {HowToGetOne}", RetryClass.NotRetryable);
        }

        return TryRead(path, out var kernel, out var problem)
            ? kernel!
            : throw new BackendUnavailableException($"ContainerTestKernel names '{path}', which cannot be booted: {problem}. {HowToGetOne}", RetryClass.NotRetryable);
    }

    private static IEnumerable<string> Images(string directory) =>
        Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "vmlinuz-*").Where(f => !f.EndsWith(".old", StringComparison.Ordinal)) : [];

    /// <summary>Reads the release from a bzImage's header and finds its modules.</summary>
    private static bool TryRead(string image, out GuestKernel? kernel, out string? problem)
    {
        kernel = null;
        string? version;
        try
        {
            version = ReadVersion(image);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = ex.Message;
            return false;
        }

        if (version is null)
        {
            problem = "it is not an x86 Linux kernel image (bzImage)";
            return false;
        }

        var besideBoot = Path.GetDirectoryName(Path.GetDirectoryName(image)!);
        var modules = new[]
            {
                besideBoot is null ? null : Path.Combine(besideBoot, "lib", "modules", version),
                Path.Combine(Path.GetDirectoryName(image)!, "lib", "modules", version),
                Path.Combine("/lib/modules", version),
            }
            .FirstOrDefault(d => d is not null && Directory.Exists(d));
        kernel = new GuestKernel(image, version, modules);
        problem = null;
        return true;
    }

    /// <summary>The kernel release of a bzImage (boot protocol 2.00+: a pointer at 0x20E to the version string, relative to 0x200).</summary>
    internal static string? ReadVersion(string image)
    {
        using var stream = new FileStream(image, FileMode.Open, FileAccess.Read, FileShare.Read);
        var header = new byte[0x210];
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length
            || Encoding.ASCII.GetString(header, 0x202, 4) != "HdrS")
        {
            return null;
        }

        var offset = BitConverter.ToUInt16(header, 0x20E) + 0x200;
        if (offset >= stream.Length)
        {
            return null;
        }

        stream.Position = offset;
        var text = new byte[256];
        var read = stream.ReadAtLeast(text, text.Length, throwOnEndOfStream: false);
        var end = Array.IndexOf(text, (byte)0, 0, read);
        var version = Encoding.ASCII.GetString(text, 0, end < 0 ? read : end).Split(' ')[0];
        return version.Length == 0 ? null : version;
    }

    /// <summary>Orders <c>vmlinuz-6.1.0-9-amd64</c> before <c>vmlinuz-6.1.0-10-amd64</c>: numbers compared as numbers.</summary>
    private sealed class VersionOrder : IComparer<string?>
    {
        public static VersionOrder Instance { get; } = new();

        public int Compare(string? x, string? y)
        {
            var a = Split(x ?? string.Empty);
            var b = Split(y ?? string.Empty);
            for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
            {
                var c = long.TryParse(a[i], out var m) && long.TryParse(b[i], out var n) ? m.CompareTo(n) : string.CompareOrdinal(a[i], b[i]);
                if (c != 0)
                {
                    return c;
                }
            }

            return a.Count.CompareTo(b.Count);
        }

        private static List<string> Split(string text) => System.Text.RegularExpressions.Regex.Split(text, "([0-9]+)").Where(p => p.Length > 0).ToList();
    }
}
