namespace ContainerTest.ContainerRuntime.Errors;

/// <summary>Whether doing the same thing again can succeed.</summary>
public enum RetryClass
{
    /// <summary>Try again as it is: the cause is transient (a registry that did not answer, an engine restarting).</summary>
    Retryable,

    /// <summary>Again would fail again: the request or the configuration must change first.</summary>
    NotRetryable,

    /// <summary>The backend cannot tell.</summary>
    Unknown,
}
