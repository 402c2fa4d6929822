namespace ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// The API socket of the engine that runs the job, at <paramref name="ContainerPath"/> (where
/// Docker clients look by default), usable by the job's user: the job may then do anything the
/// engine can — start containers, mount the host's files into them. For jobs that were explicitly
/// allowed that (a test that starts its own containers through Testcontainers, say).
/// </summary>
/// <remarks>
/// The backend mounts its own engine's socket (a local Unix socket only) and gives the job the
/// socket's group, so a non-root uid may use it; a socket its owner alone may use is refused with
/// a message saying so. A backend without <see cref="BackendCapabilities.EngineSocket"/> refuses
/// the job.
/// </remarks>
/// <param name="ContainerPath">Where the socket appears inside the job.</param>
public sealed record EngineSocketMount(string ContainerPath = EngineSocketMount.DefaultPath) : MountSpec(ContainerPath)
{
    /// <summary>Where Docker clients look for the engine when DOCKER_HOST is unset.</summary>
    public const string DefaultPath = "/var/run/docker.sock";
}
