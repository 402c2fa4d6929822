namespace ContainerTest.TestAdapter.Entry;

/// <summary>ContainerTest's adapter could not be loaded from its private folder; the message names the folder and the fix.</summary>
public sealed class PrivateAdapterException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PrivateAdapterException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public PrivateAdapterException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public PrivateAdapterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
