namespace ContainerTest.ContainerRuntime.Errors;

/// <summary>The image is not present locally and its registry did not answer.</summary>
public sealed class RegistryUnreachableException(string image, string message, Exception? innerException = null)
    : ContainerRuntimeException(message, RetryClass.Retryable, innerException)
{
    /// <summary>The reference that was asked for.</summary>
    public string Image { get; } = image;
}
