namespace ContainerTest.ContainerRuntime.Backends.Qemu;

/// <summary>How QEMU runs the guest's code.</summary>
public enum QemuAccelerator
{
    /// <summary>The host kernel's hardware virtualization (<c>/dev/kvm</c>): near native speed.</summary>
    Kvm,

    /// <summary>QEMU's own translator (Tiny Code Generator): software emulation, many times slower, but works anywhere.</summary>
    Tcg,
}
