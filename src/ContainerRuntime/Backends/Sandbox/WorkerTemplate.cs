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
/// copy-on-write directories, made fresh per job; and the read-only layers a tmpfs of the job would
/// hide, seen again on top of it).
/// </summary>
internal static class WorkerTemplate
{
    /// <summary>Processes and threads a worker needs beyond its job (the supervisor's threads, the init, bubblewrap).</summary>
    public const long SupervisorPids = 128;

    /// <summary>Size of each tmpfs the worker itself gets where its jobs get theirs: only mount points, never written.</summary>
    private const long MountPointTmpfsBytes = 64 * 1024;

    /// <summary>Size of the worker's scratch tmpfs (a few small files per job).</summary>
    private const long ScratchBytes = 4L * 1024 * 1024;

    /// <summary>Where a worker sees a copy-on-write directory's further layers (those after the first at the same path).</summary>
    private const string LayerFolder = "/.containertest/layers/";

    /// <summary>Both halves of <paramref name="template"/>.</summary>
    /// <param name="template">The job template.</param>
    /// <param name="assets">The folder with the supervisor and bubblewrap, as a layer.</param>
    public static (JobSpec Worker, SandboxSpec Sandbox) Split(JobSpec template, Layer assets)
    {
        ArgumentNullException.ThrowIfNull(template);
        var tmpfs = template.Mounts.OfType<TmpfsMount>().ToList();

        // The copy-on-write directories reach the worker read-only: every sandbox lays its own
        // throw-away overlay on them, so no job's changes reach another (or the host). The first
        // layer at a path is seen there; further layers at the same path (laid over it file by
        // file) in folders of their own, each a lower layer of the sandbox's overlay.
        var layers = new List<Layer>();
        var overlays = new List<(string Path, List<string> Lowers)>();
        foreach (var layer in template.Layers)
        {
            if (layer is not HostDirectoryLayer { Access: LayerAccess.CopyOnWrite } cow)
            {
                layers.Add(layer);
                continue;
            }

            var overlay = overlays.FirstOrDefault(o => o.Path == cow.ContainerPath);
            if (overlay.Path is null)
            {
                overlays.Add((cow.ContainerPath, [cow.ContainerPath]));
                layers.Add(cow with { Access = LayerAccess.ReadOnly });
            }
            else
            {
                var folder = LayerFolder + overlays.Sum(o => o.Lowers.Count - 1);
                overlay.Lowers.Add(folder);
                layers.Add(new HostDirectoryLayer(cow.HostPath, folder));
            }
        }

        var worker = template with
        {
            JobId = "w" + Guid.NewGuid().ToString("N")[..11],
            Command = [template.DotnetHost ?? "dotnet", "exec", SandboxAssets.Supervisor, SandboxAssets.Scratch],

            Layers = [.. layers, assets],
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
            // The job's memory limit is the worker's, as a container's covers the agent beside the
            // test: here it also covers the supervisor (about 15 MiB charged, measured; the .NET
            // runtime's files are shared page cache). Exactly the job's, so the engine judges it as
            // it would a container's. Processes are limited per sandbox (RLIMIT_NPROC); the worker
            // gets room beyond them for the supervisor's threads, so a fork bomb cannot starve it.
            Limits = template.Limits with { Pids = template.Limits.Pids + SupervisorPids },
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
            CopyOnWrite = overlays.Select(o => new SandboxOverlay(o.Path, o.Lowers)).ToList(),
            ReadOnly = template.Layers.OfType<HostDirectoryLayer>()
                .Where(l => l.Access == LayerAccess.ReadOnly && tmpfs.Any(t => l.ContainerPath.StartsWith(t.ContainerPath.TrimEnd('/') + "/", StringComparison.Ordinal)))
                .Select(l => l.ContainerPath)
                .ToList(),
            ShareNetwork = template.Network is OpenNetworkPolicy or AllowListNetworkPolicy,
            ProcessLimit = template.Limits.Pids,
            SeccompFilter = JobSeccompFilter.Program,
            Interactive = template.Tty,
        };
        return (worker, sandbox);
    }
}
