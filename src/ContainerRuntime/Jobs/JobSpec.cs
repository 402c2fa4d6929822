namespace ContainerTest.ContainerRuntime.Jobs;

using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// Everything a backend needs to run one job in one fresh container: what to run, on which
/// image, with which files, environment, identity, network, mounts and limits.
/// </summary>
public sealed record JobSpec
{
    /// <summary>Output captured per stream when <see cref="OutputLimitBytes"/> is not set: 16 MiB.</summary>
    public const long DefaultOutputLimitBytes = 16L * 1024 * 1024;

    /// <summary>An OCI image reference (<c>debian:bookworm</c>, <c>host/x@sha256:…</c>) or a local image id.</summary>
    public required string Image { get; init; }

    /// <summary>The argv to run. Empty means the image's own entrypoint and command.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Files added to the image's file system, in order (later layers win).</summary>
    public IReadOnlyList<Layer> Layers { get; init; } = [];

    /// <summary>Environment variables, added to (and overriding) the image's own.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Absolute working directory; null keeps the image's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The numeric identity the command runs as; null keeps the image's user.</summary>
    public UserIdentity? User { get; init; }

    /// <summary>What the job may reach over the network. Nothing, by default.</summary>
    public NetworkPolicy Network { get; init; } = NetworkPolicy.None;

    /// <summary>Extra mounts: tmpfs file systems with a size, proc.</summary>
    public IReadOnlyList<MountSpec> Mounts { get; init; } = [];

    /// <summary>Memory, CPU and process-count limits.</summary>
    public ResourceLimits Limits { get; init; } = ResourceLimits.None;

    /// <summary>Hardening of the process: capabilities, privilege escalation, read-only root.</summary>
    public SecurityOptions Security { get; init; } = SecurityOptions.Hardened;

    /// <summary>Wall-clock limit from start; the job is killed past it and reported <see cref="TerminationReason.TimedOut"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Run a minimal init as the job's PID 1 (the engine's <c>--init</c>), which starts the command
    /// and reaps the processes orphaned inside the job: for jobs that start and end other
    /// processes for as long as they live (a sandbox worker), so that no zombie piles up.
    /// </summary>
    public bool Init { get; init; }

    /// <summary>Allocate a pseudo-terminal (stdout and stderr then arrive as one stream).</summary>
    public bool Tty { get; init; }

    /// <summary>
    /// Tie the job's life to this process: its stdin stays open while this process lives and
    /// reaches end-of-input when it dies (even killed hard), so a job that stops at end of input
    /// ends with its owner — and its container is then removed by the engine. Leave off for
    /// jobs that read their stdin.
    /// </summary>
    public bool StopWhenOwnerExits { get; init; }

    /// <summary>
    /// Bytes written to the job's stdin once its process runs (a request it reads before doing
    /// anything). With <see cref="StopWhenOwnerExits"/>, stdin then stays open; without, it is closed.
    /// </summary>
    public ReadOnlyMemory<byte>? StandardInput { get; init; }

    /// <summary>Labels put on the container, beside the run and job labels every container carries.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>A caller-chosen id for this job (unique within the run); generated when null.</summary>
    public string? JobId { get; init; }

    /// <summary>
    /// The .NET host inside the image (<c>dotnet</c> on its PATH, or a path), when the image has
    /// one: a backend that runs a .NET program of its own beside the job (the sandbox backend's
    /// supervisor) runs it with this. Null: <c>dotnet</c>.
    /// </summary>
    public string? DotnetHost { get; init; }

    /// <summary>Bytes kept per output stream; what exceeds it is dropped and the capture marked truncated.</summary>
    public long OutputLimitBytes { get; init; } = DefaultOutputLimitBytes;
}
