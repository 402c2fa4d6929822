namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Buffers.Binary;
using System.Runtime.Versioning;
using System.Text;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// The kernel modules a VM loads before anything else, dependencies first: the drivers the init
/// needs (virtio PCI, console and block; ext4 for the disk images; overlay; 9p for shared
/// folders), and those for a network device, loaded only when a job's policy asks for one. A
/// driver built into the kernel (listed in <c>modules.builtin</c>) needs no module. Dependencies
/// come from each module's own <c>.modinfo</c> (or <c>modules.dep</c> for compressed modules).
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class KernelModules
{
    /// <summary>What every VM needs, by module name.</summary>
    public static readonly string[] Required = ["virtio_pci", "virtio_console", "virtio_blk", "ext4", "overlay", "9p", "9pnet_virtio"];

    /// <summary>Loaded when present: ext4 asks for crc32c at mount time, and no modprobe exists in the VM to load it then.</summary>
    public static readonly string[] Helpful = ["crc32c_generic"];

    /// <summary>What a network device needs.</summary>
    public static readonly string[] Network = ["virtio_net"];

    private KernelModules(IReadOnlyList<string> boot, IReadOnlyList<string> network)
    {
        Boot = boot;
        NetworkFiles = network;
    }

    /// <summary>Module files to load at boot, in order (absolute host paths).</summary>
    public IReadOnlyList<string> Boot { get; }

    /// <summary>Module files to load for a network device, in order, beyond <see cref="Boot"/>; empty when the kernel has it built in (or lacks it).</summary>
    public IReadOnlyList<string> NetworkFiles { get; }

    /// <summary>Works out the modules of <paramref name="kernel"/>.</summary>
    /// <exception cref="BackendUnavailableException">A required driver is neither built in nor a module.</exception>
    public static KernelModules Resolve(GuestKernel kernel)
    {
        if (kernel.ModulesDirectory is null)
        {
            return new KernelModules([], []); // every driver must be built in; the VM says so at boot if not
        }

        var builtin = ReadBuiltin(kernel.ModulesDirectory);
        var files = Directory.EnumerateFiles(kernel.ModulesDirectory, "*.ko*", SearchOption.AllDirectories)
            .GroupBy(ModuleName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(f => f.Length).First(), StringComparer.Ordinal);
        var dependencies = ReadModulesDep(kernel.ModulesDirectory);
        var boot = new List<string>();
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in Helpful.Where(files.ContainsKey).Concat(Required))
        {
            Add(name, required: true);
        }

        var network = new List<string>();
        var before = boot.Count;
        foreach (var name in Network)
        {
            Add(name, required: false);
        }

        network.AddRange(boot.Skip(before));
        boot.RemoveRange(before, boot.Count - before);
        return new KernelModules(boot, network);

        void Add(string name, bool required)
        {
            if (builtin.Contains(name) || !loaded.Add(name))
            {
                return;
            }

            if (!files.TryGetValue(name, out var file))
            {
                if (required)
                {
                    throw new BackendUnavailableException(
                        $"The kernel {kernel.Image} ({kernel.Version}) has no {name} driver, which the test VMs need: it is neither built in (modules.builtin) nor a module under {kernel.ModulesDirectory}. "
                        + "Use a kernel with virtio PCI, virtio console and block, ext4, overlay and 9p drivers (Debian's linux-image-amd64 has them all; its cloud kernel lacks 9p). "
                        + GuestKernelLocator.HowToGetOne,
                        RetryClass.NotRetryable);
                }

                return;
            }

            foreach (var dependency in DependenciesOf(file, dependencies))
            {
                Add(dependency, required);
            }

            boot.Add(file);
        }
    }

    /// <summary><c>virtio_pci</c> for <c>…/virtio_pci.ko</c>, <c>…/virtio_pci.ko.xz</c>; dashes read as underscores, as the kernel does.</summary>
    private static string ModuleName(string path)
    {
        var name = Path.GetFileName(path);
        return name[..name.IndexOf(".ko", StringComparison.Ordinal)].Replace('-', '_');
    }

    private static HashSet<string> ReadBuiltin(string modules)
    {
        var path = Path.Combine(modules, "modules.builtin");
        return File.Exists(path)
            ? File.ReadLines(path).Where(l => l.Length > 0).Select(ModuleName).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
    }

    private static Dictionary<string, string[]> ReadModulesDep(string modules)
    {
        var path = Path.Combine(modules, "modules.dep");
        var map = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return map;
        }

        foreach (var line in File.ReadLines(path))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                map[ModuleName(line[..colon])] = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ModuleName).ToArray();
            }
        }

        return map;
    }

    private static IEnumerable<string> DependenciesOf(string file, Dictionary<string, string[]> modulesDep)
    {
        if (file.EndsWith(".ko", StringComparison.Ordinal) && ReadModinfo(file) is { } info)
        {
            return info.Where(f => f.StartsWith("depends=", StringComparison.Ordinal))
                .SelectMany(f => f["depends=".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries))
                .Select(n => n.Replace('-', '_'));
        }

        return modulesDep.TryGetValue(ModuleName(file), out var listed) ? listed.AsEnumerable().Reverse() : [];
    }

    /// <summary>Reads section <paramref name="index"/>'s header: returns its name's offset in the names section.</summary>
    private static uint SectionOf(byte[] bytes, long table, int entrySize, int index, out long offset, out long size)
    {
        var header = bytes.AsSpan((int)(table + (index * entrySize)), entrySize);
        offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[0x18..]);
        size = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..]);
        return BinaryPrimitives.ReadUInt32LittleEndian(header);
    }

    /// <summary>The NUL-separated <c>key=value</c> fields of a module's ELF <c>.modinfo</c> section; null when unreadable.</summary>
    internal static string[]? ReadModinfo(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var span = bytes.AsSpan();
        if (bytes.Length < 64 || span[0] != 0x7F || span[1] != (byte)'E' || span[4] != 2 /* 64-bit */ || span[5] != 1 /* little-endian */)
        {
            return null;
        }

        var sectionTable = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3E..]);
        if (sectionTable <= 0 || sectionTable + ((long)entrySize * count) > bytes.Length || namesIndex >= count)
        {
            return null;
        }

        SectionOf(bytes, sectionTable, entrySize, namesIndex, out var namesOffset, out var namesSize);
        for (var i = 0; i < count; i++)
        {
            var nameOffset = SectionOf(bytes, sectionTable, entrySize, i, out var offset, out var size);
            if (nameOffset >= namesSize || offset + size > bytes.Length || namesOffset + namesSize > bytes.Length)
            {
                continue;
            }

            var names = span.Slice((int)namesOffset, (int)namesSize)[(int)nameOffset..];
            var end = names.IndexOf((byte)0);
            if (Encoding.ASCII.GetString(names[..(end < 0 ? names.Length : end)]) == ".modinfo")
            {
                return Encoding.UTF8.GetString(span.Slice((int)offset, (int)size)).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
        }

        return null;
    }
}
