namespace ContainerTest.ContainerRuntime.Composition;

/// <summary>Where pooled jobs' workers run.</summary>
public enum JobCluster
{
    /// <summary>On the engine of DOCKER_HOST alone. The default.</summary>
    None,

    /// <summary>
    /// On the nodes of the Docker Swarm whose manager is the engine of DOCKER_HOST: each sandbox
    /// worker is a Swarm service placed by Swarm; the jobs' files reach the nodes as an image
    /// pushed to <see cref="JobRuntimeOptions.Registry"/>.
    /// </summary>
    Swarm,
}
