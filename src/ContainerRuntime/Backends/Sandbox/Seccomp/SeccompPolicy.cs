namespace ContainerTest.ContainerRuntime.Backends.Sandbox.Seccomp;

/// <summary>
/// Which system calls a job may make. A container of the Docker Engine gets the engine's default
/// seccomp profile; a sandbox job must get at least as little. The calls below are those that
/// profile refuses to an unprivileged container with no capabilities, as measured on Docker 20.10
/// (a probe made every call in a default container and in an unconfined one, and these answered
/// EPERM only under the profile; tests/ContainerRuntime.Tests' SeccompTests repeat that probe
/// against every sandbox), grouped by why they are refused. A worker container may additionally
/// make the few calls bubblewrap needs to build a sandbox (<see cref="SandboxMaking"/>); the jobs in
/// it may not, nor any other call that makes namespaces or mounts.
/// </summary>
internal static class SeccompPolicy
{
    /// <summary>Calls no job (and no worker) may make.</summary>
    public static IReadOnlyList<string> Refused { get; } =
    [
        // Kernel code: modules, kexec.
        "create_module", "init_module", "finit_module", "delete_module", "get_kernel_syms", "query_module", "kexec_load", "kexec_file_load",

        // The machine as a whole: clocks, power, swap, accounting, the kernel log, quotas, I/O ports.
        "settimeofday", "clock_settime", "reboot", "swapon", "swapoff", "acct", "syslog", "vhangup", "_sysctl", "sysfs", "ustat", "uselib",
        "quotactl", "quotactl_fd", "nfsservctl", "lookup_dcookie", "iopl", "ioperm",

        // Numbers the kernel reserves and never implemented.
        "getpmsg", "putpmsg", "afs_syscall", "tuxcall", "security", "vserver",

        // The kernel keyring, shared by every container of the machine.
        "add_key", "request_key", "keyctl",

        // NUMA memory placement.
        "mbind", "set_mempolicy", "get_mempolicy", "migrate_pages", "move_pages", "set_mempolicy_home_node",

        // Reaching into other processes, and performance counters.
        "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise", "perf_event_open",

        // Kernel interfaces with a history of escapes: eBPF, userfaultfd, fanotify, file handles,
        // memory protection keys, io_uring (refused by the engine's current default profile too).
        "bpf", "userfaultfd", "fanotify_init", "name_to_handle_at", "open_by_handle_at", "pkey_mprotect", "pkey_alloc", "pkey_free",
        "io_uring_setup", "io_uring_enter", "io_uring_register",

        // Namespaces and mounts bubblewrap does not use.
        "chroot", "setns", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    ];

    /// <summary>What bubblewrap calls to build a sandbox: a worker may, a job may not.</summary>
    public static IReadOnlyList<string> SandboxMaking { get; } = ["unshare", "mount", "umount2", "pivot_root"];

    /// <summary>
    /// <c>clone</c> flags that make namespaces: allowed to a worker (bubblewrap's clone), refused
    /// to a job. CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
    /// CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET (linux/sched.h).
    /// </summary>
    public const uint NamespaceCloneFlags = 0x00000080 | 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

    /// <summary>
    /// The <c>personality</c> values a container may set, as the engine allows them: Linux
    /// (0x0), Linux with UNAME26 (0x0020000), with ADDR_NO_RANDOMIZE... (0x0008, 0x20008), and the
    /// query 0xffffffff. Any other is refused.
    /// </summary>
    public static IReadOnlyList<uint> AllowedPersonalities { get; } = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];
}
