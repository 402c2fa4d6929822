namespace ContainerTest.ContainerRuntime.Backends.Qemu;

/// <summary>
/// One job's VM, worked out from its <see cref="Jobs.JobSpec"/>: the devices QEMU gives it and
/// what its init does, in three parts. <see cref="Boot"/> builds the file system (the root image
/// under a tmpfs overlay, every layer on a disk image, tmpfs mounts, the job's cgroup, identity
/// and environment); <see cref="Start"/> starts the command; <see cref="Turn"/> happens when the
/// job's turn comes (fresh randomness, the clock, the host name, and the shared host folders,
/// which cannot be part of a saved VM state). A VM started ahead of its job, or saved, has done
/// the first two (or only <see cref="Boot"/>, when the command must not start before the shares).
/// </summary>
internal sealed record VmLayout
{
    /// <summary>Disk images, attached read-only, found by their serial inside the VM.</summary>
    public required IReadOnlyList<VmDisk> Disks { get; init; }

    /// <summary>Host folders shared read-only over 9p, by mount tag.</summary>
    public required IReadOnlyList<VmShare> Shares { get; init; }

    /// <summary>The file system, identity and environment.</summary>
    public required GuestPlan Boot { get; init; }

    /// <summary>Starting the command.</summary>
    public required GuestPlan Start { get; init; }

    /// <summary>Makes the steps of the job's turn (seed, clock, host name, shared folders) for the VM called <c>hostName</c>.</summary>
    public required Func<string, GuestPlan> Turn { get; init; }

    /// <summary>A network device (user-mode networking) is attached.</summary>
    public bool Network { get; init; }

    /// <summary>The command reads its stdin from the host (the input port).</summary>
    public bool Stdin { get; init; }

    /// <summary>The command's terminal is the second serial port.</summary>
    public bool Terminal { get; init; }

    /// <summary>Guest memory, MiB.</summary>
    public required long MemoryMiB { get; init; }

    /// <summary>Virtual CPUs.</summary>
    public required int Cpus { get; init; }
}

/// <summary>A read-only disk image of a VM, and the serial its init finds it by.</summary>
internal sealed record VmDisk(string Serial, string Image);

/// <summary>A host folder shared read-only with a VM over 9p, and its mount tag.</summary>
internal sealed record VmShare(string Tag, string HostPath);
