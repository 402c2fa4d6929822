namespace ContainerTest.ContainerRuntime.Jobs;

/// <summary>Which stream a chunk of a job's output came from.</summary>
public enum OutputChannel
{
    /// <summary>Standard output, or the terminal when the job has a TTY.</summary>
    Stdout,

    /// <summary>Standard error.</summary>
    Stderr,
}
