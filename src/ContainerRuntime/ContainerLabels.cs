namespace ContainerTest.ContainerRuntime;

/// <summary>The labels every resource we create carries, so that leftovers can be found and reaped.</summary>
public static class ContainerLabels
{
    /// <summary>Present (value <c>true</c>) on every container, network and image ContainerTest creates.</summary>
    public const string Managed = "io.containertest.managed";

    /// <summary>The run (one backend instance: one <c>dotnet test</c>, one CLI command) that created it.</summary>
    public const string RunId = "io.containertest.run-id";

    /// <summary>The job the container ran.</summary>
    public const string JobId = "io.containertest.job-id";

    /// <summary>What the resource is: <c>job</c>, <c>worker</c>, <c>network-gateway</c>, <c>host-image</c>…</summary>
    public const string Kind = "io.containertest.kind";

    /// <summary>The <see cref="Kind"/> of a container that runs one job.</summary>
    public const string JobKind = "job";

    /// <summary>The <see cref="Kind"/> of a sandbox worker: a container that runs many jobs, each in a fresh sandbox of its own.</summary>
    public const string WorkerKind = "worker";

    /// <summary>The process id of the process that created it, to tell whether its owner is still alive.</summary>
    public const string OwnerProcessId = "io.containertest.owner-pid";

    /// <summary>
    /// On a run's reaper: the process id of the process whose run it removes when that process
    /// ends — for people and tests. Not <see cref="OwnerProcessId"/>: a reaper must outlive its
    /// owner, and sweeps of dead owners' leftovers must not stop it halfway.
    /// </summary>
    public const string GuardedProcessId = "io.containertest.guarded-pid";

    /// <summary>The machine (host name) of the process that created it: its pid means something only there.</summary>
    public const string OwnerHost = "io.containertest.owner-host";
}
