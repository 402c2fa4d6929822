namespace ContainerTest.ContainerRuntime.Jobs;

/// <summary>How one job ended, with everything it wrote.</summary>
public sealed record JobResult
{
    /// <summary>The job's id (as given in <see cref="JobSpec.JobId"/> or generated).</summary>
    public required string JobId { get; init; }

    /// <summary>The backend's id of the container (or VM) that ran it; null when it was never created.</summary>
    public string? InstanceId { get; init; }

    /// <summary>What <see cref="InstanceId"/> names: <c>container</c>, or <c>sandbox</c> (a fresh sandbox in a worker container).</summary>
    public string InstanceKind { get; init; } = "container";

    /// <summary>Why it stopped.</summary>
    public required TerminationReason Termination { get; init; }

    /// <summary>The command's exit status; null when it never ran or its status could not be read.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Standard output (or the terminal's output when the job had a TTY).</summary>
    public CapturedOutput Stdout { get; init; } = CapturedOutput.Empty;

    /// <summary>Standard error (empty when the job had a TTY).</summary>
    public CapturedOutput Stderr { get; init; } = CapturedOutput.Empty;

    /// <summary>When the command was started (or the attempt to start it failed).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When it was seen to end.</summary>
    public DateTimeOffset EndedAt { get; init; }

    /// <summary>For <see cref="TerminationReason.FailedToStart"/> and <see cref="TerminationReason.WorkerLost"/>: what went wrong and how to fix it.</summary>
    public string? FailureCause { get; init; }

    /// <summary>Wall time between start and end.</summary>
    public TimeSpan Duration => EndedAt - StartedAt;

    /// <summary>True when the command exited by itself with status 0.</summary>
    public bool Succeeded => Termination == TerminationReason.Exited && ExitCode == 0;
}
