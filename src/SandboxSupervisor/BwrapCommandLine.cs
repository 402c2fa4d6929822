namespace ContainerTest.SandboxSupervisor;

using System.Globalization;
using ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;

/// <summary>
/// The bubblewrap command line of one job's sandbox. Every namespace is new (user, mount, PID,
/// IPC, UTS, cgroup where the kernel allows, and network unless the job shares the worker's); the
/// root is the worker's own file system read-only, with, in this order on top: a fresh /proc
/// (sensitive entries masked, as the engine masks them) and /dev, a private throw-away overlay on
/// every directory the job's user could write in a container of the image, the job's tmpfs
/// mounts, its copy-on-write directories as overlays and the read-only directories its tmpfs
/// mounts would hide, and its own /etc/hostname and /etc/hosts.
/// The job runs as its uid:gid with no capabilities, cannot make user namespaces of its own, and
/// gets a seccomp filter; it ends when bubblewrap (its parent) does.
/// </summary>
internal static class BwrapCommandLine
{
    /// <summary>Size of each sandbox's /dev/shm (the engine's default for a container).</summary>
    public const long SharedMemoryBytes = 64L * 1024 * 1024;

    /// <summary>The arguments for job <paramref name="job"/>, the command last.</summary>
    /// <param name="spec">The worker's sandbox spec.</param>
    /// <param name="worker">What the worker's file system holds.</param>
    /// <param name="job">The job id, also the sandbox's host name.</param>
    /// <param name="jobFiles">A directory of the worker holding this job's <c>hostname</c> and <c>hosts</c> files.</param>
    /// <param name="descriptors">Inherited descriptors: the seccomp program (or -1), the info pipe's write end, the block pipe's read end.</param>
    public static List<string> For(SandboxSpec spec, WorkerFileSystem worker, string job, string jobFiles, (int Seccomp, int Info, int Block) descriptors)
    {
        var args = new List<string>
        {
            "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try",
            spec.ShareNetwork ? "--share-net" : "--unshare-net",
            "--uid", Number(spec.Uid ?? Libc.EffectiveUid), "--gid", Number(spec.Gid ?? Libc.EffectiveGid),
            "--disable-userns",
            "--die-with-parent",
            "--cap-drop", "ALL",
            "--hostname", job,
            "--ro-bind", "/", "/",
            "--proc", "/proc",
        };
        if (!spec.Interactive)
        {
            args.Add("--new-session"); // no controlling terminal to push input into (TIOCSTI)
        }

        foreach (var file in worker.MaskedFilesPresent)
        {
            args.AddRange(["--ro-bind", "/dev/null", file]);
        }

        foreach (var directory in worker.MaskedDirectoriesPresent)
        {
            args.AddRange(["--perms", "0555", "--tmpfs", directory, "--remount-ro", directory]);
        }

        args.AddRange(["--dev", "/dev", "--size", Number(SharedMemoryBytes), "--perms", "1777", "--tmpfs", "/dev/shm"]);
        foreach (var directory in worker.Writable)
        {
            args.AddRange(["--overlay-src", directory, "--tmp-overlay", directory]);
        }

        foreach (var tmpfs in spec.Tmpfs.OrderBy(t => t.Path.Length))
        {
            args.AddRange(["--size", Number(tmpfs.SizeBytes), "--perms", Convert.ToString(tmpfs.Mode, 8), "--tmpfs", tmpfs.Path]);
        }

        // Outer directories first: a copy-on-write output folder may lie in a read-only source tree.
        var directories = spec.ReadOnly.Select(path => (Path: path, Overlay: (SandboxOverlay?)null))
            .Concat(spec.CopyOnWrite.Select(overlay => (overlay.Path, Overlay: (SandboxOverlay?)overlay)));
        foreach (var (path, overlay) in directories.OrderBy(d => d.Path.Length))
        {
            if (overlay is null)
            {
                args.AddRange(["--ro-bind", path, path]);
                continue;
            }

            foreach (var lower in overlay.Lowers)
            {
                args.AddRange(["--overlay-src", lower]);
            }

            args.AddRange(["--tmp-overlay", overlay.Path]);
        }

        if (worker.HasHostname)
        {
            args.AddRange(["--ro-bind", Path.Combine(jobFiles, "hostname"), "/etc/hostname"]);
        }

        if (worker.HasHosts)
        {
            args.AddRange(["--ro-bind", Path.Combine(jobFiles, "hosts"), "/etc/hosts"]);
        }

        args.AddRange(["--chdir", spec.WorkingDirectory]);
        if (descriptors.Seccomp >= 0)
        {
            args.AddRange(["--seccomp", Number(descriptors.Seccomp)]);
        }

        args.AddRange(["--info-fd", Number(descriptors.Info), "--block-fd", Number(descriptors.Block), "--"]);
        args.AddRange(spec.Command);
        return args;
    }

    /// <summary>
    /// The job's /etc/hosts: the usual loopback names, its host name on loopback (as the engine
    /// writes a container's), and <paramref name="mapped"/> (lines of the worker's own, see <see cref="WorkerHosts"/>).
    /// </summary>
    public static string HostsFile(string job, IReadOnlyList<string>? mapped = null) =>
        $"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t{job}\n" + string.Concat((mapped ?? []).Select(line => line + "\n"));

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
