namespace ContainerTest.ContainerRuntime.Composition;

/// <summary>What isolates one job from every other.</summary>
public enum JobIsolation
{
    /// <summary>
    /// A fresh sandbox per job (new user, mount, PID, IPC, UTS, network and cgroup namespaces over
    /// a throw-away writable layer) inside long-lived worker containers: the engine is not on the
    /// path of each job. The default.
    /// </summary>
    Sandbox,

    /// <summary>A container of its own per job, created and removed by the engine.</summary>
    Container,

    /// <summary>A virtual machine of its own per job, with its own kernel (<see cref="RuntimeBackend.Qemu"/>).</summary>
    VirtualMachine,
}
