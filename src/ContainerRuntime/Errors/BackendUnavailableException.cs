namespace ContainerTest.ContainerRuntime.Errors;

/// <summary>The backend (the Docker Engine) cannot be reached or refuses us.</summary>
public sealed class BackendUnavailableException(string message, RetryClass retry, Exception? innerException = null)
    : ContainerRuntimeException(message, retry, innerException);
