namespace ContainerTest.TestingPlatform;

/// <summary>ContainerTest's runtime beside the test application is missing or unusable; the message says why and what to do.</summary>
public sealed class ContainerTestRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ContainerTestRuntimeException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public ContainerTestRuntimeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public ContainerTestRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
