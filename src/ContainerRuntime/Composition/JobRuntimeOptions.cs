namespace ContainerTest.ContainerRuntime.Composition;

/// <summary>How <see cref="JobRuntime"/> is put together.</summary>
public sealed record JobRuntimeOptions
{
    /// <summary>What runs the jobs: a Docker Engine (the default) or QEMU, a VM per job.</summary>
    public RuntimeBackend Backend { get; init; } = RuntimeBackend.Docker;

    /// <summary>For <see cref="RuntimeBackend.Qemu"/>: the kernel the VMs boot (a vmlinuz, or an unpacked linux-image package's folder); null to find one.</summary>
    public string? Kernel { get; init; }

    /// <summary>What isolates jobs run in pools on the Docker backend. Sandbox by default; it falls back to containers where sandboxes cannot be made.</summary>
    public JobIsolation Isolation { get; init; } = JobIsolation.Sandbox;

    /// <summary>Where workers run: on the engine of DOCKER_HOST (the default) or across its Swarm cluster.</summary>
    public JobCluster Cluster { get; init; } = JobCluster.None;

    /// <summary>
    /// With a cluster: the registry (<c>host[:port][/path]</c>) the nodes pull the jobs' image from
    /// and the engine of DOCKER_HOST pushes it to. Required then; ignored otherwise.
    /// </summary>
    public string? Registry { get; init; }

    /// <summary>
    /// Hears what the user should be told once (a fallback to another isolation, and why; which
    /// accelerator runs the VMs and what it costs); null to tell no one.
    /// </summary>
    public Action<string>? OnNotice { get; init; }
}
