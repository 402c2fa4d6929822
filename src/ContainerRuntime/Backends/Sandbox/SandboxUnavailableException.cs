namespace ContainerTest.ContainerRuntime.Backends.Sandbox;

using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// No sandbox can be made here: the kernel or the engine refuses what a sandbox needs (user
/// namespaces disabled, a seccomp profile not accepted, an engine that is not Linux…), or this
/// build lacks the helper. The message says which; jobs can still run one container each.
/// </summary>
public sealed class SandboxUnavailableException(string message, Exception? inner = null)
    : ContainerRuntimeException(message, RetryClass.NotRetryable, inner);
