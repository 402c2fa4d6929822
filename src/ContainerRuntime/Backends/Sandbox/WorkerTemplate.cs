namespace ContainerTest.ContainerRuntime.Backends.Sandbox;

using ContainerTest.ContainerRuntime.Backends.Sandbox.Seccomp;
using ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// Splits a job template in two: the worker container that hosts its sandboxes (the template's
/// image, read-only layers, environment, user, network and limits, plus the supervisor) and the
/// sandbox every job of it gets (the template's command, working directory, tmpfs mounts and
/// copy-on-write directories, made fresh per job).
/// </summary>
internal static class WorkerTemplate
{
    /// <summary>
    /// Memory a worker needs beyond its job: the supervisor (a small .NET process, 25–35 MiB
    /// resident measured) and bubblewrap. Added to the job's memory limit, so a job gets its own.
    /// </summary>
    public const long SupervisorMemoryBytes = 64L * 1024 * 1024;

    /// <summary>Processes and threads a worker needs beyond its job (the supervisor's threads, the init, bubblewrap).</summary>
    public const long SupervisorPids = 128;

    /// <summary>Size of each tmpfs the worker itself gets where its jobs get theirs: only mount points, never written.</summary>
    private const long MountPointTmpfsBytes = 64 * 1024;

    /// <summary>Size of the worker's scratch tmpfs (a few small files per job).</summary>
    private const long ScratchBytes = 4L * 1024 * 1024;

    /// <summary>Both halves of <paramref name="template"/>.</summary>
    /// <param name="template">The job template.</param>
    /// <param name="assets">The folder with the supervisor and bubblewrap, as a layer.</param>
    public static (JobSpec Worker, SandboxSpec Sandbox) Split(JobSpec template, Layer assets)
    {
        ArgumentNullException.ThrowIfNull(template);
        var copyOnWrite = template.Layers.OfType<HostDirectoryLayer>().Where(l => l.Access == LayerAccess.CopyOnWrite).ToList();
        var tmpfs = template.Mounts.OfType<TmpfsMount>().ToList();

        var worker = template with
        {
            JobId = "w" + Guid.NewGuid().ToString("N")[..11],
            Command = [template.DotnetHost ?? "dotnet", "exec", SandboxAssets.Supervisor, SandboxAssets.Scratch],

            // The copy-on-write directories reach the worker read-only: every sandbox lays its own
            // throw-away overlay on them, so no job's changes reach another (or the host).
            Layers =
            [
                .. template.Layers.Select(l => l is HostDirectoryLayer { Access: LayerAccess.CopyOnWrite } cow ? cow with { Access = LayerAccess.ReadOnly } : l),
                assets,
            ],
            WorkingDirectory = "/",

            // The worker's own tmpfs mounts are only the mount points of each sandbox's (a path the
            // image lacks, HOME say, must exist for a sandbox to mount on it). The engine's socket,
            // when the job may have it, is the worker's, and every sandbox sees it in the worker's
            // file system (with the worker's supplementary group that may use it).
            Mounts =
            [
                .. tmpfs.Select(t => t with { SizeBytes = MountPointTmpfsBytes }),
                new TmpfsMount(SandboxAssets.Scratch, ScratchBytes),
                .. template.Mounts.OfType<EngineSocketMount>(),
            ],
            Limits = template.Limits with
            {
                MemoryBytes = template.Limits.MemoryBytes + SupervisorMemoryBytes,
                Pids = template.Limits.Pids + SupervisorPids,
            },
            Security = template.Security with { SeccompProfileJson = WorkerSeccompProfile.Json, UnmaskKernelPaths = true },
            Init = true,
            Timeout = null,
            StandardInput = null,
            StopWhenOwnerExits = true,
            Tty = false,
            Labels = new Dictionary<string, string>(template.Labels) { [ContainerLabels.Kind] = ContainerLabels.WorkerKind },
            OutputLimitBytes = 64 * 1024, // the supervisor's own diagnostics; jobs' output is kept per job
        };

        var sandbox = new SandboxSpec
        {
            Command = template.Command,
            WorkingDirectory = template.WorkingDirectory ?? "/",
            Uid = template.User?.Uid,
            Gid = template.User?.Gid,
            Tmpfs = tmpfs.Select(t => new SandboxTmpfs(t.ContainerPath, t.SizeBytes, t.Mode)).ToList(),
            CopyOnWrite = copyOnWrite.Select(l => l.ContainerPath).ToList(),
            ShareNetwork = template.Network is OpenNetworkPolicy or AllowListNetworkPolicy,
            ProcessLimit = template.Limits.Pids,
            SeccompFilter = JobSeccompFilter.Program,
            Interactive = template.Tty,
        };
        return (worker, sandbox);
    }
}
