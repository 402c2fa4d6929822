namespace ContainerTest.DockerCredentials;

/// <summary>
/// The Docker config names a login that cannot be had: the file is unreadable, its <c>auth</c> is
/// not base64, or a credential helper is missing or failed. The message is whole — what failed,
/// why, and what to do — so a caller can show it as it is or decide to go on anonymously.
/// </summary>
public sealed class DockerLoginException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DockerLoginException()
    {
    }

    /// <summary>Creates the exception with its whole message.</summary>
    public DockerLoginException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its whole message and the failure underneath.</summary>
    public DockerLoginException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
