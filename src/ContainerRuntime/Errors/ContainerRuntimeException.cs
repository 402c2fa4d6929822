namespace ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// A failure of the runtime layer with a message fit for the user: it names the cause and the
/// fix. Subclasses tell the kind; <see cref="Retry"/> tells whether trying again can help.
/// </summary>
public class ContainerRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ContainerRuntimeException(string message, RetryClass retry, Exception? innerException = null)
        : base(message, innerException) => Retry = retry;

    /// <summary>Whether the same request can succeed later.</summary>
    public RetryClass Retry { get; }
}
