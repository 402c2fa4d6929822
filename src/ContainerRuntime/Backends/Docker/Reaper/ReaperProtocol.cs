namespace ContainerTest.ContainerRuntime.Backends.Docker.Reaper;

/// <summary>
/// What a run and its reaper (project Reaper) agree on: the lines they exchange over the reaper
/// container's stdin and stdout, where the engine's socket is inside it, and how long it sweeps.
/// One source, compiled into both.
/// </summary>
internal static class ReaperProtocol
{
    /// <summary>The value of <c>io.containertest.kind</c> on a reaper container.</summary>
    public const string KindLabelValue = "reaper";

    /// <summary>What the reaper prints once it reaches the engine; from then on a dropped link is acted on.</summary>
    public const string ReadyLine = "containertest-reaper ready";

    /// <summary>What the run writes before it closes the link when it ends normally (it removed its resources itself).</summary>
    public const string EndLine = "end";

    /// <summary>Where the engine's socket is mounted inside the reaper container.</summary>
    public const string SocketPath = "/var/run/docker.sock";

    /// <summary>
    /// After the link dropped without <see cref="EndLine"/> (the run was killed), the reaper sweeps
    /// until this long has passed without finding anything: a create request the run sent just
    /// before it died may still complete in the engine.
    /// </summary>
    public static readonly TimeSpan QuietAfterDeath = TimeSpan.FromSeconds(4);

    /// <summary>After <see cref="EndLine"/>, the same wait: short, for a create abandoned by a cancellation.</summary>
    public static readonly TimeSpan QuietAfterEnd = TimeSpan.FromSeconds(1);

    /// <summary>The reaper stops sweeping this long after the link dropped, whatever it still finds, and exits.</summary>
    public static readonly TimeSpan SweepLimit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A reaper container still not started this long after it was created is stranded: its run
    /// died between creating and starting it (a live run starts it at once, before it makes
    /// anything else). Any live reaper removes it.
    /// </summary>
    public static readonly TimeSpan StrandedAfter = TimeSpan.FromSeconds(5);

    /// <summary>How often a live reaper looks for stranded ones.</summary>
    public static readonly TimeSpan StrandedCheckInterval = TimeSpan.FromSeconds(2);
}
