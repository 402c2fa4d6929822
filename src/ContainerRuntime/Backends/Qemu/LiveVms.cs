namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Runtime.Versioning;

/// <summary>The VMs of a backend that are still running, so that disposing the backend kills every one (whatever its pool or job did).</summary>
[SupportedOSPlatform("linux")]
internal sealed class LiveVms
{
    private readonly HashSet<VirtualMachine> vms = [];

    public void Add(VirtualMachine vm)
    {
        lock (vms)
        {
            vms.Add(vm);
        }
    }

    public void Remove(VirtualMachine vm)
    {
        lock (vms)
        {
            vms.Remove(vm);
        }
    }

    public IReadOnlyList<VirtualMachine> Snapshot()
    {
        lock (vms)
        {
            return [.. vms];
        }
    }
}
