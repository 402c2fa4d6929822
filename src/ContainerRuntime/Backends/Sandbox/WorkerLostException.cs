namespace ContainerTest.ContainerRuntime.Backends.Sandbox;

/// <summary>A worker went away (its container ended, its stdin broke, the engine is gone); the inner exception says why.</summary>
internal sealed class WorkerLostException(Exception cause) : Exception(cause.Message, cause)
{
    /// <summary>Why, in a few words.</summary>
    public string Cause => InnerException!.Message.TrimEnd('.');
}
