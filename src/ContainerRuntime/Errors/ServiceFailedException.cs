namespace ContainerTest.ContainerRuntime.Errors;

/// <summary>A shared service could not be started or did not become ready; the message says which, why, and ends with its last output.</summary>
public sealed class ServiceFailedException : ContainerRuntimeException
{
    /// <summary>Creates the exception.</summary>
    public ServiceFailedException(string message, RetryClass retry = RetryClass.NotRetryable, Exception? innerException = null)
        : base(message, retry, innerException)
    {
    }
}
