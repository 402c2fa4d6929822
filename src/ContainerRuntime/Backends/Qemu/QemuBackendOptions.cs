namespace ContainerTest.ContainerRuntime.Backends.Qemu;

/// <summary>How the qemu backend finds what it needs. Everything has a default that works on a Debian-like host.</summary>
public sealed record QemuBackendOptions
{
    /// <summary>
    /// The guest kernel: a <c>vmlinuz</c> file (its modules are looked for in
    /// <c>../lib/modules/&lt;version&gt;</c> beside its <c>boot/</c> folder, then in
    /// <c>/lib/modules/&lt;version&gt;</c>), or a folder holding <c>boot/vmlinuz-*</c> and
    /// <c>lib/modules/</c> (an unpacked <c>linux-image-*</c> package). Null: the kernels in the
    /// runtime cache (<c>nuget/native/kernel.sh</c> puts Debian's there), then the host's own
    /// <c>/boot/vmlinuz-*</c>.
    /// </summary>
    public string? Kernel { get; init; }

    /// <summary>The QEMU system emulator; null: <c>qemu-system-x86_64</c> (or the host's architecture's) on PATH.</summary>
    public string? QemuPath { get; init; }

    /// <summary>Force an accelerator instead of choosing (KVM when usable, TCG otherwise).</summary>
    public QemuAccelerator? Accelerator { get; init; }

    /// <summary>The run id (for folders and messages); null: a new one.</summary>
    public string? RunId { get; init; }

    /// <summary>
    /// Start each pooled job's VM from a saved state of a VM whose command already waits for its
    /// input (true, the default), instead of booting every VM.
    /// </summary>
    public bool Snapshots { get; init; } = true;

    /// <summary>Hears what the user should be told once (the accelerator and its cost, a fallback); null to tell no one.</summary>
    public Action<string>? OnNotice { get; init; }
}
