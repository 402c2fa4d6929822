namespace ContainerTest.ContainerRuntime.Errors;

/// <summary>The image is neither present locally nor in its registry.</summary>
public sealed class ImageNotFoundException(string image, string message, Exception? innerException = null)
    : ContainerRuntimeException(message, RetryClass.NotRetryable, innerException)
{
    /// <summary>The reference that was asked for.</summary>
    public string Image { get; } = image;
}
