namespace ContainerTest.ContainerRuntime.Errors;

/// <summary>The job asks for something the backend cannot do; it is refused rather than silently ignored.</summary>
public sealed class UnsupportedCapabilityException(string backend, BackendCapabilities missing, string message)
    : ContainerRuntimeException(message, RetryClass.NotRetryable)
{
    /// <summary>The backend that refused.</summary>
    public string Backend { get; } = backend;

    /// <summary>What the job needed that the backend lacks.</summary>
    public BackendCapabilities Missing { get; } = missing;
}
