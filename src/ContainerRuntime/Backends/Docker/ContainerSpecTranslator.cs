namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Globalization;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Network;
using global::Docker.DotNet.Models;

/// <summary>Turns a <see cref="JobSpec"/> into the engine's create-container request.</summary>
internal static class ContainerSpecTranslator
{
    /// <param name="spec">The job.</param>
    /// <param name="bakedPaths">Copy-on-write directories its image already holds.</param>
    /// <param name="jobId">The job's id.</param>
    /// <param name="runId">The run's id.</param>
    /// <param name="network">How its container joins the network.</param>
    /// <param name="engine">The engine's endpoint, for a job given the engine's socket (<see cref="EngineSocketMount"/>).</param>
    public static CreateContainerParameters ToCreateParameters(JobSpec spec, IReadOnlySet<string> bakedPaths, string jobId, string runId, NetworkAttachment network, Uri? engine = null)
    {
        var engineMounts = spec.Mounts.OfType<EngineSocketMount>().ToList();
        var engineSocket = engineMounts.Count == 0 ? null
            : EngineSocket.For(engine ?? throw new ArgumentNullException(nameof(engine), "A job given the engine's socket needs the engine's endpoint."), spec.User);
        var labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal)
        {
            [ContainerLabels.Managed] = "true",
            [ContainerLabels.RunId] = runId,
            [ContainerLabels.JobId] = jobId,
            [ContainerLabels.Kind] = spec.Labels.GetValueOrDefault(ContainerLabels.Kind, ContainerLabels.JobKind),
            [ContainerLabels.OwnerProcessId] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            [ContainerLabels.OwnerHost] = Environment.MachineName,
        };

        var host = new HostConfig
        {
            NetworkMode = network.NetworkMode,
            ExtraHosts = network.ExtraHosts.ToList(),
            Mounts = [.. Mounts(spec, bakedPaths, runId), .. engineMounts.Select(m => engineSocket!.MountAt(m.ContainerPath))],
            GroupAdd = engineSocket is null ? null! : [engineSocket.GroupId.ToString(CultureInfo.InvariantCulture)],
            Memory = spec.Limits.MemoryBytes ?? 0,
            // Equal to Memory: no swap on top, so the limit is a real limit and breaching it is an OOM kill.
            MemorySwap = spec.Limits.MemoryBytes ?? 0,
            NanoCPUs = spec.Limits.Cpus is { } cpus ? (long)(cpus * 1_000_000_000) : 0,
            PidsLimit = spec.Limits.Pids,
            CapDrop = spec.Security.DropAllCapabilities ? ["ALL"] : [],
            SecurityOpt = SecurityOptions(spec.Security),
            // The engine's systempaths=unconfined is empty masked and read-only path lists (an
            // absent list means the engine's defaults).
            MaskedPaths = spec.Security.UnmaskKernelPaths ? [] : null!,
            ReadonlyPaths = spec.Security.UnmaskKernelPaths ? [] : null!,
            Init = spec.Init ? true : null,
            ReadonlyRootfs = spec.Security.ReadOnlyRootFilesystem,
            // The engine removes the container once it stops, even when the process that created
            // it was killed before it could (we still remove it ourselves on every path we live).
            AutoRemove = true,
            DNS = network.Dns.ToList(),
            Sysctls = network.Sysctls.Count > 0 ? network.Sysctls.ToDictionary() : null!,
        };

        return new CreateContainerParameters
        {
            Image = spec.Image,
            Cmd = spec.Command.Count > 0 ? spec.Command.ToList() : null!, // null: the image's own command
            Env = spec.Environment.Select(pair => pair.Key + "=" + pair.Value).ToList(),
            WorkingDir = spec.WorkingDirectory ?? string.Empty, // empty: the image's own
            User = spec.User?.ToString() ?? string.Empty,
            Tty = spec.Tty,
            AttachStdout = true,
            AttachStderr = true,
            AttachStdin = TakesStdin(spec),
            OpenStdin = TakesStdin(spec),
            StdinOnce = TakesStdin(spec),
            Labels = labels,
            HostConfig = host,
            NetworkingConfig = network.EndpointsConfig is null ? null! : new NetworkingConfig { EndpointsConfig = network.EndpointsConfig },
        };
    }

    private static List<string> SecurityOptions(Jobs.SecurityOptions security)
    {
        var options = new List<string>();
        if (security.NoNewPrivileges)
        {
            options.Add("no-new-privileges");
        }

        if (security.SeccompProfileJson is { } profile)
        {
            options.Add("seccomp=" + profile);
        }

        return options;
    }

    /// <summary>True when the job's stdin is attached: it is tied to its owner or is given input.</summary>
    public static bool TakesStdin(JobSpec spec) => spec.StopWhenOwnerExits || spec.StandardInput is not null;

    private static IEnumerable<Mount> Mounts(JobSpec spec, IReadOnlySet<string> bakedPaths, string runId)
    {
        foreach (var (hostPath, containerPath) in ReadOnlyMountPlan.For(spec.Layers))
        {
            yield return new Mount { Type = "bind", Source = hostPath, Target = containerPath, ReadOnly = true };
        }

        // A copy-on-write directory lives in an anonymous volume of its own: it is then mounted on
        // top of any tmpfs or read-only directory above it (a project under /tmp, an output folder
        // inside a read-only source tree), and is removed with the container.
        // (One already baked into the job's image needs nothing: the container's own layer is its copy.)
        // (Several copy-on-write layers at one path share its volume: each is copied into it in turn.)
        foreach (var layer in spec.Layers.OfType<HostDirectoryLayer>().Where(l => l.Access == LayerAccess.CopyOnWrite && !bakedPaths.Contains(l.ContainerPath)).DistinctBy(l => l.ContainerPath))
        {
            yield return new Mount
            {
                Type = "volume",
                Target = layer.ContainerPath,
                VolumeOptions = new VolumeOptions
                {
                    NoCopy = true,
                    Labels = new Dictionary<string, string> { [ContainerLabels.Managed] = "true", [ContainerLabels.RunId] = runId },
                },
            };
        }

        foreach (var tmpfs in spec.Mounts.OfType<TmpfsMount>())
        {
            yield return new Mount
            {
                Type = "tmpfs",
                Target = tmpfs.ContainerPath,
                TmpfsOptions = new TmpfsOptions { SizeBytes = tmpfs.SizeBytes, Mode = (uint)tmpfs.Mode },
            };
        }

        // ProcMount at /proc needs nothing: every Docker container has proc there.
    }
}
