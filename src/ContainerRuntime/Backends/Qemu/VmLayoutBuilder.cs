namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// Works out a job's VM (<see cref="VmLayout"/>) from its <see cref="JobSpec"/>:
/// <list type="bullet">
/// <item>The root file system is the image's disk, read-only, under an overlay whose writable layer is a tmpfs.</item>
/// <item>A copy-on-write host folder (the test's output) is a disk image made once, read-only, under an
/// overlay with a tmpfs on top at its path: the job may change it, no other job sees the change.
/// Consecutive such layers at one path (a precompiled framework laid over the output) stack in one overlay.</item>
/// <item>A read-only host folder is shared live over 9p and mounted when the job's turn comes (a VM
/// with a 9p folder mounted cannot be saved, and a pooled VM is saved before its turn), except one
/// that holds the command's own program (a .NET runtime layer), which must be there before the
/// command starts: that one becomes a disk image too. Mounts made at boot that lie inside a shared
/// folder (the output inside the source tree) are laid over it again once it is mounted.</item>
/// <item>Tar layers become disk images stacked over what the image has at their path; file and
/// symlink layers are written into the tmpfs-backed root.</item>
/// <item>tmpfs and proc mounts as asked; the command in a cgroup of its own with the memory and
/// process limits; the VM's memory is the limit plus room for the kernel; vCPUs are the CPU limit
/// rounded up (at most the host's cores).</item>
/// <item>No network device unless the policy is <c>open</c> (QEMU's user-mode network: outbound
/// connections through the host, nothing reaches in); <c>none</c> and <c>loopback</c> get only
/// the loopback interface.</item>
/// </list>
/// </summary>
[SupportedOSPlatform("linux")]
internal static class VmLayoutBuilder
{
    /// <summary>Where the VM's own mounts (disk images, overlay layers, shares) are, inside the VM.</summary>
    public const string Private = "/.containertest/vm";

    /// <summary>The VM's memory beyond the job's limit: the kernel, the init, page cache for the disk images.</summary>
    public const long OverheadMiB = 384;

    /// <summary>The job's cgroup inside the VM.</summary>
    public const string ControlGroup = "/sys/fs/cgroup/job";

    /// <summary>Where the terminal of an interactive job is (the second serial port).</summary>
    public const string TerminalDevice = "/dev/ttyS1";

    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private const string ShareOptions = "trans=virtio,version=9p2000.L,msize=512000,cache=loose";

    /// <summary>The layout of <paramref name="spec"/>'s VM.</summary>
    /// <exception cref="InvalidJobSpecException">The job asks for something a VM cannot be given.</exception>
    public static async Task<VmLayout> BuildAsync(JobSpec spec, VmRootImage root, LayerDisks disks, KernelModules modules, bool terminal, CancellationToken cancellationToken)
    {
        if (spec.Command.Count == 0)
        {
            throw new InvalidJobSpecException("The job names no command, and the VM's image has no entrypoint of its own: give the job a command.");
        }

        var network = spec.Network is OpenNetworkPolicy;
        var boot = new GuestPlan();
        var diskList = new List<VmDisk> { new("root", root.Disk) };
        var shares = new List<VmShare>();
        if (network)
        {
            foreach (var module in modules.NetworkFiles)
            {
                boot.LoadModule(VmInitramfs.NetworkModules + "/" + Path.GetFileName(module));
            }
        }

        // The root: the image, read-only, under a tmpfs; then everything moves into it.
        boot.Mount("tmpfs", "/vm", "tmpfs", GuestPlan.NoSuid | GuestPlan.NoDev, "mode=0755")
            .Mount("serial:root", "/vm/root-image", "ext4", GuestPlan.ReadOnly)
            .Directory("/vm/root/upper", 0x1ED)
            .Directory("/vm/root/work", 0x1ED)
            .Mount("overlay", "/newroot", "overlay", 0, "lowerdir=/vm/root-image,upperdir=/vm/root/upper,workdir=/vm/root/work")
            .Mount("/dev", "/newroot/dev", string.Empty, GuestPlan.Move)
            .Mount("/proc", "/newroot/proc", string.Empty, GuestPlan.Move)
            .Mount("/sys", "/newroot/sys", string.Empty, GuestPlan.Move)
            .Mount("/vm", "/newroot" + Private, string.Empty, GuestPlan.Move)
            .SwitchRoot("/newroot")
            .Mount("devpts", "/dev/pts", "devpts", GuestPlan.NoSuid, "gid=5,mode=0620,ptmxmode=0666")
            .Mount("tmpfs", "/dev/shm", "tmpfs", GuestPlan.NoSuid | GuestPlan.NoDev, "mode=1777");

        var mountPoints = new List<string>();
        var late = new List<(string Path, string Tag)>();

        // The job's mounts go on before whatever lies inside them, as an engine orders them: a
        // tmpfs at /tmp (or at HOME) mounted after the output folder of a project under /tmp (or
        // the home folder) would hide it. The rest follow the layers.
        var pending = spec.Mounts.ToList();
        void MountAbove(string path)
        {
            foreach (var mount in pending.Where(m => Within(path, Normalize(m.ContainerPath)) && Normalize(m.ContainerPath) != path).OrderBy(m => Normalize(m.ContainerPath).Length).ToList())
            {
                AddMount(boot, mount, mountPoints);
                pending.Remove(mount);
            }
        }

        var layers = spec.Layers;
        for (var i = 0; i < layers.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (layers[i])
            {
                case HostDirectoryLayer { Access: LayerAccess.ReadOnly } shared when !HoldsProgram(shared.ContainerPath, spec.Command[0]):
                    var tag = "s" + (shares.Count + 1).ToString(CultureInfo.InvariantCulture);
                    shares.Add(new VmShare(tag, shared.HostPath));
                    late.Add((Normalize(shared.ContainerPath), tag));
                    break;
                case HostDirectoryLayer { Access: LayerAccess.ReadOnly } program:
                    MountAbove(Normalize(program.ContainerPath));
                    var serial = "l" + diskList.Count.ToString(CultureInfo.InvariantCulture);
                    diskList.Add(new VmDisk(serial, await disks.OfDirectoryAsync(program.HostPath, owner: null, cancellationToken).ConfigureAwait(false)));
                    boot.Mount("serial:" + serial, Normalize(program.ContainerPath), "ext4", GuestPlan.ReadOnly | GuestPlan.NoDev);
                    mountPoints.Add(Normalize(program.ContainerPath));
                    break;
                case HostDirectoryLayer or TarArchiveLayer:
                    // A run of copy-on-write folders and tar archives at one path: one overlay.
                    var path = Normalize(ContainerPathOf(layers[i]));
                    var lowers = new List<string>();
                    var upperMode = 0x1ED;
                    var upperOwner = (Uid: 0, Gid: 0);
                    var mergeWithImage = false;
                    var j = i;
                    for (; j < layers.Count && IsStackable(layers[j]) && Normalize(ContainerPathOf(layers[j])) == path; j++)
                    {
                        var layerSerial = "l" + diskList.Count.ToString(CultureInfo.InvariantCulture);
                        if (layers[j] is HostDirectoryLayer copy)
                        {
                            diskList.Add(new VmDisk(layerSerial, await disks.OfDirectoryAsync(copy.HostPath, spec.User, cancellationToken).ConfigureAwait(false)));
                            upperMode = (int)File.GetUnixFileMode(copy.HostPath);
                            upperOwner = spec.User is { } user ? (user.Uid, user.Gid) : (0, 0);
                        }
                        else
                        {
                            var tar = (TarArchiveLayer)layers[j];
                            if (path == "/")
                            {
                                throw new InvalidJobSpecException($"The qemu backend cannot extract the tar layer '{tar.ArchivePath}' at / (only into a folder): give the layer a folder.");
                            }

                            diskList.Add(new VmDisk(layerSerial, await disks.OfArchiveAsync(tar.ArchivePath, cancellationToken).ConfigureAwait(false)));
                            mergeWithImage = true;
                        }

                        var lower = $"{Private}/{layerSerial}";
                        boot.Mount("serial:" + layerSerial, lower, "ext4", GuestPlan.ReadOnly | GuestPlan.NoDev);
                        lowers.Insert(0, lower); // later layers win: first in lowerdir
                    }

                    if (mergeWithImage)
                    {
                        boot.EnsureDirectory(path);
                        lowers.Add(path);
                    }

                    MountAbove(path);
                    var rw = $"{Private}/rw{i.ToString(CultureInfo.InvariantCulture)}";
                    boot.Directory(rw + "/upper", upperMode, upperOwner.Uid, upperOwner.Gid)
                        .Directory(rw + "/work", 0x1C0)
                        .Mount("overlay", path, "overlay", GuestPlan.NoDev, $"lowerdir={string.Join(':', lowers)},upperdir={rw}/upper,workdir={rw}/work");
                    mountPoints.Add(path);
                    i = j - 1;
                    break;
                case FileLayer file:
                    RefuseUnderShare(file.ContainerPath, late, "file");
                    MountAbove(Normalize(file.ContainerPath));
                    boot.File(file.ContainerPath, file.Content.Span, file.Mode);
                    break;
                case SymlinkLayer link:
                    RefuseUnderShare(link.ContainerPath, late, "symbolic link");
                    MountAbove(Normalize(link.ContainerPath));
                    boot.Symlink(link.Target, link.ContainerPath);
                    break;
                default:
                    throw new InvalidJobSpecException($"The qemu backend cannot lay {layers[i].GetType().Name} into a VM.");
            }
        }

        foreach (var mount in pending)
        {
            AddMount(boot, mount, mountPoints);
        }

        // The job's cgroup: its memory and process limits, and whether the OOM killer struck.
        boot.Mount("cgroup2", "/sys/fs/cgroup", "cgroup2", GuestPlan.NoSuid | GuestPlan.NoDev)
            .KernelFile("/sys/fs/cgroup/cgroup.subtree_control", "+memory +pids +cpu")
            .EnsureDirectory(ControlGroup);
        if (spec.Limits.MemoryBytes is { } memory)
        {
            boot.KernelFile(ControlGroup + "/memory.max", memory.ToString(CultureInfo.InvariantCulture));
        }

        if (spec.Limits.Pids is { } pids)
        {
            boot.KernelFile(ControlGroup + "/pids.max", pids.ToString(CultureInfo.InvariantCulture));
        }

        var cpus = Math.Clamp((int)Math.Ceiling(spec.Limits.Cpus ?? Environment.ProcessorCount), 1, Environment.ProcessorCount);
        if (spec.Limits.Cpus is { } quota && quota < cpus)
        {
            boot.KernelFile(ControlGroup + "/cpu.max", string.Create(CultureInfo.InvariantCulture, $"{(long)(quota * 100_000)} 100000"));
        }

        boot.ControlGroup(ControlGroup).Interface("lo");
        if (network)
        {
            // QEMU's user-mode network: the guest is 10.0.2.15, the host's outside world is behind 10.0.2.2, DNS at 10.0.2.3.
            boot.Interface("eth0", "10.0.2.15", "255.255.255.0", "10.0.2.2")
                .File("/etc/resolv.conf", "nameserver 10.0.2.3\n"u8);
        }

        // The command's environment: the image's, then the job's (which wins).
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in root.Environment)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                environment[pair[..equals]] = pair[(equals + 1)..];
            }
        }

        foreach (var (name, value) in spec.Environment)
        {
            environment[name] = value;
        }

        environment.TryAdd("PATH", DefaultPath);
        foreach (var (name, value) in environment)
        {
            boot.Environment(name, value);
        }

        var workingDirectory = Normalize(spec.WorkingDirectory ?? "/");
        if (!late.Any(l => Within(workingDirectory, l.Path)))
        {
            boot.EnsureDirectory(workingDirectory);
        }

        var identity = spec.User ?? UserIdentity.Root;
        boot.WorkingDirectory(workingDirectory)
            .User(identity.Uid, identity.Gid)
            .Hardening(spec.Security.NoNewPrivileges, spec.Security.DropAllCapabilities);

        var stdin = !terminal && (spec.StandardInput is not null || spec.StopWhenOwnerExits);
        var start = new GuestPlan();
        if (terminal)
        {
            start.Terminal(TerminalDevice);
        }
        else
        {
            start.OutputPorts(stdin);
        }

        start.Start(spec.Command);
        var readOnlyRoot = spec.Security.ReadOnlyRootFilesystem;
        var bootMounts = mountPoints.ToList();
        return new VmLayout
        {
            Disks = diskList,
            Shares = shares,
            Boot = boot,
            Start = start,
            Turn = hostName => Turn(hostName, late, bootMounts, readOnlyRoot),
            Network = network,
            Stdin = stdin,
            Terminal = terminal,
            MemoryMiB = ((spec.Limits.MemoryBytes ?? (2L << 30)) >> 20) + OverheadMiB,
            Cpus = cpus,
        };
    }

    /// <summary>The steps of the job's turn: fresh randomness (a saved VM's is every copy's), the clock, the host name, the shared folders.</summary>
    private static GuestPlan Turn(string hostName, List<(string Path, string Tag)> late, List<string> bootMounts, bool readOnlyRoot)
    {
        var turn = new GuestPlan()
            .Seed(RandomNumberGenerator.GetBytes(64))
            .Clock(DateTimeOffset.UtcNow)
            .HostName(hostName)
            .File("/etc/hostname", Encoding.UTF8.GetBytes(hostName + "\n"))
            .File("/etc/hosts", Encoding.UTF8.GetBytes($"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t{hostName}\n"));
        var mounted = new List<string>(bootMounts);
        foreach (var (path, tag) in late)
        {
            // Mounted aside, then what already lies inside it is laid over it again, then moved into place.
            var staging = $"{Private}/{tag}";
            turn.Mount(tag, staging, "9p", GuestPlan.ReadOnly | GuestPlan.NoDev, ShareOptions);
            var inside = mounted.Where(m => Within(m, path) && m != path).ToList();
            foreach (var point in inside.Where(p => !inside.Any(o => o != p && Within(p, o))))
            {
                turn.Mount(point, staging + point[(path == "/" ? 0 : path.Length)..], string.Empty, GuestPlan.Bind | GuestPlan.Recursive);
            }

            turn.Mount(staging, path, string.Empty, GuestPlan.Move);
            mounted.Add(path);
        }

        if (readOnlyRoot)
        {
            turn.Mount(string.Empty, "/", string.Empty, GuestPlan.Remount | GuestPlan.Bind | GuestPlan.ReadOnly);
        }

        return turn;
    }

    private static bool IsStackable(Layer layer) => layer is TarArchiveLayer or HostDirectoryLayer { Access: LayerAccess.CopyOnWrite };

    private static string ContainerPathOf(Layer layer) => layer switch
    {
        HostDirectoryLayer h => h.ContainerPath,
        TarArchiveLayer t => t.ContainerPath,
        _ => throw new ArgumentOutOfRangeException(nameof(layer)),
    };

    /// <summary>True when <paramref name="program"/> (the command's first word, a path) lies inside <paramref name="folder"/>.</summary>
    private static bool HoldsProgram(string folder, string program) => program.StartsWith('/') && Within(Normalize(program), Normalize(folder)) && Normalize(program) != Normalize(folder);

    /// <summary>A tmpfs or proc mount of the job, at boot.</summary>
    private static void AddMount(GuestPlan boot, MountSpec mount, List<string> mountPoints)
    {
        switch (mount)
        {
            case TmpfsMount tmpfs:
                boot.Mount("tmpfs", Normalize(tmpfs.ContainerPath), "tmpfs", GuestPlan.NoSuid | GuestPlan.NoDev, string.Create(CultureInfo.InvariantCulture, $"mode=0{Convert.ToString(tmpfs.Mode, 8)},size={tmpfs.SizeBytes}"));
                mountPoints.Add(Normalize(tmpfs.ContainerPath));
                break;
            case ProcMount { ContainerPath: "/proc" }:
                break; // the VM's own /proc is there already
            case ProcMount proc:
                boot.Mount("proc", Normalize(proc.ContainerPath), "proc", GuestPlan.NoSuid | GuestPlan.NoDev);
                mountPoints.Add(Normalize(proc.ContainerPath));
                break;
        }
    }

    private static bool Within(string path, string folder) => folder == "/" || path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    private static string Normalize(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed.Length == 0 ? "/" : trimmed;
    }

    private static void RefuseUnderShare(string path, List<(string Path, string Tag)> late, string what)
    {
        if (late.FirstOrDefault(l => Within(Normalize(path), l.Path)) is { Path: not null } share)
        {
            throw new InvalidJobSpecException($"The qemu backend cannot put the {what} {path} inside the read-only shared folder {share.Path}: shared folders are mounted read-only over it.");
        }
    }
}
