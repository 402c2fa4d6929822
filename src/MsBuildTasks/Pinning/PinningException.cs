namespace ContainerTest.MsBuildTasks.Pinning;

/// <summary>
/// Pinning could not be done. The message is whole — what failed, why, and what to do — and is
/// shown to the user as it is (a build error or warning, or the CLI's one line), never as a stack trace.
/// </summary>
public sealed class PinningException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PinningException()
    {
    }

    /// <summary>Creates the exception with its whole message.</summary>
    public PinningException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its whole message and the failure underneath.</summary>
    public PinningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
