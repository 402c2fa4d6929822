namespace ContainerTest.ContainerRuntime.Backends.Docker.AllowList;

using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// The engine has no address range left for another network. Idle job networks can be given
/// back to make room; when none are left, the job sees this (a <see cref="ContainerRuntimeException"/>).
/// </summary>
internal sealed class AddressPoolsExhaustedException(string message, Exception innerException)
    : ContainerRuntimeException(message, RetryClass.Retryable, innerException);
