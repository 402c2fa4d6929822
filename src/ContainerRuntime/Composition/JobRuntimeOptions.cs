namespace ContainerTest.ContainerRuntime.Composition;

/// <summary>How <see cref="JobRuntime"/> is put together.</summary>
public sealed record JobRuntimeOptions
{
    /// <summary>What isolates jobs run in pools. Sandbox by default; it falls back to containers where sandboxes cannot be made.</summary>
    public JobIsolation Isolation { get; init; } = JobIsolation.Sandbox;

    /// <summary>
    /// Hears what the user should be told once (a fallback to another isolation, and why); null
    /// to tell no one.
    /// </summary>
    public Action<string>? OnNotice { get; init; }
}
