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
}
