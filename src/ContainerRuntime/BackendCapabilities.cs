namespace ContainerTest.ContainerRuntime;

/// <summary>What a backend can do. A job that needs a capability its backend lacks is refused with
/// <see cref="Errors.UnsupportedCapabilityException"/>, never run with the need silently dropped.</summary>
[Flags]
public enum BackendCapabilities : long
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Host directories seen read-only.</summary>
    ReadOnlyHostDirectory = 1 << 0,

    /// <summary>Host directories seen as a private, writable copy-on-write view.</summary>
    CopyOnWriteHostDirectory = 1 << 1,

    /// <summary>Tar archives extracted into the job's file system.</summary>
    TarLayer = 1 << 2,

    /// <summary>Inline files.</summary>
    FileLayer = 1 << 3,

    /// <summary>Symbolic links.</summary>
    SymlinkLayer = 1 << 4,

    /// <summary><see cref="Network.NetworkPolicy.None"/>.</summary>
    NetworkNone = 1 << 5,

    /// <summary><see cref="Network.NetworkPolicy.Loopback"/>.</summary>
    NetworkLoopback = 1 << 6,

    /// <summary><see cref="Network.NetworkPolicy.Allow"/>.</summary>
    NetworkAllowList = 1 << 7,

    /// <summary><see cref="Network.NetworkPolicy.Open"/>.</summary>
    NetworkOpen = 1 << 8,

    /// <summary>tmpfs mounts with a size.</summary>
    TmpfsMount = 1 << 9,

    /// <summary>proc mounted at /proc.</summary>
    ProcAtSlashProc = 1 << 10,

    /// <summary>proc mounted at another path than /proc.</summary>
    ProcElsewhere = 1 << 11,

    /// <summary>Memory limits (with out-of-memory detection).</summary>
    MemoryLimit = 1 << 12,

    /// <summary>CPU quotas.</summary>
    CpuLimit = 1 << 13,

    /// <summary>Process-count limits.</summary>
    PidsLimit = 1 << 14,

    /// <summary>Running as any numeric uid:gid.</summary>
    UserIdentity = 1 << 15,

    /// <summary>A pseudo-terminal.</summary>
    Tty = 1 << 16,

    /// <summary>Dropping capabilities, no-new-privileges, a read-only root file system.</summary>
    Hardening = 1 << 17,

    /// <summary>
    /// Hosting sandboxes: a seccomp profile of the job's own and unmasked kernel paths
    /// (<see cref="Jobs.SecurityOptions.SeccompProfileJson"/>, <see cref="Jobs.SecurityOptions.UnmaskKernelPaths"/>),
    /// and an init process as PID 1 (<see cref="Jobs.JobSpec.Init"/>).
    /// </summary>
    SandboxHost = 1 << 18,

    /// <summary>The socket of the engine that runs the job, inside it (<see cref="Jobs.EngineSocketMount"/>).</summary>
    EngineSocket = 1 << 19,
}
