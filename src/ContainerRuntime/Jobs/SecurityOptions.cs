namespace ContainerTest.ContainerRuntime.Jobs;

/// <summary>How much of the kernel's privilege the job keeps.</summary>
/// <param name="DropAllCapabilities">Drop every Linux capability (even root inside then cannot chown, bind low ports, mount…).</param>
/// <param name="NoNewPrivileges">Forbid gaining privileges through setuid binaries or file capabilities.</param>
/// <param name="ReadOnlyRootFilesystem">Make the image's file system read-only (mounts and tmpfs stay writable).</param>
public sealed record SecurityOptions(bool DropAllCapabilities = true, bool NoNewPrivileges = true, bool ReadOnlyRootFilesystem = false)
{
    /// <summary>All capabilities dropped and no privilege escalation: the default.</summary>
    public static SecurityOptions Hardened { get; } = new();

    /// <summary>What the engine gives a container when asked for nothing.</summary>
    public static SecurityOptions EngineDefault { get; } = new(DropAllCapabilities: false, NoNewPrivileges: false);

    /// <summary>
    /// A seccomp profile in the Docker Engine's JSON format in place of the engine's default; null
    /// keeps the default. (The sandbox backend's workers get one that also allows making namespaces.)
    /// </summary>
    public string? SeccompProfileJson { get; init; }

    /// <summary>
    /// Leave the kernel's sensitive /proc and /sys entries visible instead of masking them (the
    /// engine's <c>systempaths=unconfined</c>): a process in the job can then mount a fresh procfs
    /// for a PID namespace of its own, which the kernel refuses under a masked /proc. The sandbox
    /// backend's workers need it and mask those entries again in every sandbox.
    /// </summary>
    public bool UnmaskKernelPaths { get; init; }

    /// <summary>True when anything beyond the engine's defaults is asked for.</summary>
    internal bool RelaxesSandboxing => SeccompProfileJson is not null || UnmaskKernelPaths;
}
