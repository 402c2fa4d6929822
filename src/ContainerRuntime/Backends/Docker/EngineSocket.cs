namespace ContainerTest.ContainerRuntime.Backends.Docker;

using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using global::Docker.DotNet.Models;

/// <summary>
/// The engine's own API socket, as a job with <see cref="EngineSocketMount"/> gets it: bind-mounted
/// from the engine's host, with the socket's group added to the job's user so that a non-root uid
/// may connect (connecting needs write permission on the socket, which the engine gives its group).
/// </summary>
/// <param name="HostPath">The socket's path on the engine's host (the endpoint's path).</param>
/// <param name="GroupId">The socket's group.</param>
internal sealed record EngineSocket(string HostPath, uint GroupId)
{
    /// <summary>Whether a job can be given the socket at <paramref name="endpoint"/>: a local Unix socket.</summary>
    public static bool IsSupported(Uri endpoint) => endpoint.Scheme == "unix" && OperatingSystem.IsLinux();

    /// <summary>The socket behind <paramref name="endpoint"/>, checked usable by <paramref name="user"/>.</summary>
    /// <exception cref="UnsupportedCapabilityException">The engine is not reached through a local Unix socket.</exception>
    /// <exception cref="InvalidJobSpecException">The socket cannot be read, or only its owner may use it and the job runs as someone else.</exception>
    public static EngineSocket For(Uri endpoint, UserIdentity? user)
    {
        if (!IsSupported(endpoint))
        {
            throw new UnsupportedCapabilityException(
                "docker",
                BackendCapabilities.EngineSocket,
                $"A job cannot be given the engine at {endpoint}: only an engine on a local Unix socket (unix:///var/run/docker.sock) can be handed to a job. Point DOCKER_HOST at the local engine's socket.");
        }

        var path = endpoint.LocalPath;
        var (groupId, refusal) = EngineSocketAccess.Examine(path, (uint)(user?.Uid ?? 0));
        return refusal is null ? new EngineSocket(path, groupId) : throw new InvalidJobSpecException(refusal);
    }

    /// <summary>The bind mount that puts the socket at <paramref name="containerPath"/>.</summary>
    public Mount MountAt(string containerPath) => new() { Type = "bind", Source = HostPath, Target = containerPath };
}
