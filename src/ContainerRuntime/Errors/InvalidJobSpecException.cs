namespace ContainerTest.ContainerRuntime.Errors;

/// <summary>The job description itself is wrong (a relative path, a missing host directory, a zero limit…).</summary>
public sealed class InvalidJobSpecException(string message)
    : ContainerRuntimeException(message, RetryClass.NotRetryable);
