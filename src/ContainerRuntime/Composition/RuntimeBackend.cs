namespace ContainerTest.ContainerRuntime.Composition;

/// <summary>What runs the jobs.</summary>
public enum RuntimeBackend
{
    /// <summary>A Docker Engine: sandboxes in worker containers, or a container per job (<see cref="JobRuntimeOptions.Isolation"/>). The default.</summary>
    Docker,

    /// <summary>QEMU: a virtual machine per job, with a kernel of its own. Needs no engine.</summary>
    Qemu,
}
