namespace ContainerTest.ContainerRuntime.Docker;

using System.Globalization;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Network;
using global::Docker.DotNet.Models;

/// <summary>Turns a <see cref="JobSpec"/> into the engine's create-container request.</summary>
internal static class ContainerSpecTranslator
{
    public static CreateContainerParameters ToCreateParameters(JobSpec spec, string jobId, string runId, NetworkAttachment network)
    {
        var labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal)
        {
            [ContainerLabels.Managed] = "true",
            [ContainerLabels.RunId] = runId,
            [ContainerLabels.JobId] = jobId,
            [ContainerLabels.Kind] = "job",
            [ContainerLabels.OwnerProcessId] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
        };

        var host = new HostConfig
        {
            NetworkMode = network.NetworkMode,
            ExtraHosts = network.ExtraHosts.ToList(),
            Mounts = Mounts(spec).ToList(),
            Memory = spec.Limits.MemoryBytes ?? 0,
            // Equal to Memory: no swap on top, so the limit is a real limit and breaching it is an OOM kill.
            MemorySwap = spec.Limits.MemoryBytes ?? 0,
            NanoCPUs = spec.Limits.Cpus is { } cpus ? (long)(cpus * 1_000_000_000) : 0,
            PidsLimit = spec.Limits.Pids,
            CapDrop = spec.Security.DropAllCapabilities ? ["ALL"] : [],
            SecurityOpt = spec.Security.NoNewPrivileges ? ["no-new-privileges"] : [],
            ReadonlyRootfs = spec.Security.ReadOnlyRootFilesystem,
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
            Labels = labels,
            HostConfig = host,
            NetworkingConfig = network.EndpointsConfig is null ? null! : new NetworkingConfig { EndpointsConfig = network.EndpointsConfig },
        };
    }

    private static IEnumerable<Mount> Mounts(JobSpec spec)
    {
        foreach (var layer in spec.Layers.OfType<HostDirectoryLayer>().Where(l => l.Access == LayerAccess.ReadOnly))
        {
            yield return new Mount { Type = "bind", Source = layer.HostPath, Target = layer.ContainerPath, ReadOnly = true };
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
