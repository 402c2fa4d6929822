namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using ContainerTest.ContainerRuntime.Jobs;

/// <summary>Where a VM's command output goes, one chunk at a time.</summary>
internal delegate void VmOutputSink(OutputChannel channel, ReadOnlySpan<byte> chunk);
