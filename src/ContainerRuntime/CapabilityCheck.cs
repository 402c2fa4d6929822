namespace ContainerTest.ContainerRuntime;

using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Network;

/// <summary>Works out what a job needs from its backend, and refuses a job its backend cannot run as asked.</summary>
public static class CapabilityCheck
{
    /// <summary>The capabilities <paramref name="spec"/> depends on.</summary>
    public static BackendCapabilities Required(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var needed = BackendCapabilities.None;
        foreach (var layer in spec.Layers)
        {
            needed |= layer switch
            {
                HostDirectoryLayer { Access: LayerAccess.ReadOnly } => BackendCapabilities.ReadOnlyHostDirectory,
                HostDirectoryLayer => BackendCapabilities.CopyOnWriteHostDirectory,
                TarArchiveLayer => BackendCapabilities.TarLayer,
                FileLayer => BackendCapabilities.FileLayer,
                SymlinkLayer => BackendCapabilities.SymlinkLayer,
                _ => throw new InvalidJobSpecException($"Unknown layer kind {layer.GetType().Name}."),
            };
        }

        needed |= spec.Network switch
        {
            NoNetworkPolicy => BackendCapabilities.NetworkNone,
            LoopbackNetworkPolicy => BackendCapabilities.NetworkLoopback,
            AllowListNetworkPolicy => BackendCapabilities.NetworkAllowList,
            OpenNetworkPolicy => BackendCapabilities.NetworkOpen,
            _ => throw new InvalidJobSpecException($"Unknown network policy {spec.Network.GetType().Name}."),
        };

        foreach (var mount in spec.Mounts)
        {
            needed |= mount switch
            {
                TmpfsMount => BackendCapabilities.TmpfsMount,
                ProcMount { ContainerPath: "/proc" } => BackendCapabilities.ProcAtSlashProc,
                ProcMount => BackendCapabilities.ProcElsewhere,
                EngineSocketMount => BackendCapabilities.EngineSocket,
                _ => throw new InvalidJobSpecException($"Unknown mount kind {mount.GetType().Name}."),
            };
        }

        needed |= spec.Limits.MemoryBytes is null ? 0 : BackendCapabilities.MemoryLimit;
        needed |= spec.Limits.Cpus is null ? 0 : BackendCapabilities.CpuLimit;
        needed |= spec.Limits.Pids is null ? 0 : BackendCapabilities.PidsLimit;
        needed |= spec.User is null ? 0 : BackendCapabilities.UserIdentity;
        needed |= spec.Tty ? BackendCapabilities.Tty : 0;
        var security = spec.Security;
        needed |= security.DropAllCapabilities || security.NoNewPrivileges || security.ReadOnlyRootFilesystem
            ? BackendCapabilities.Hardening
            : 0;
        needed |= security.RelaxesSandboxing || spec.Init ? BackendCapabilities.SandboxHost : 0;
        return needed;
    }

    /// <summary>Validates <paramref name="spec"/> and throws unless <paramref name="backend"/> can run all of it.</summary>
    public static void Ensure(IJobBackend backend, JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Validate(spec);
        var missing = Required(spec) & ~backend.Capabilities;
        if (missing != BackendCapabilities.None)
        {
            throw new UnsupportedCapabilityException(
                backend.Name,
                missing,
                $"The {backend.Name} backend cannot run this job: it does not support {missing}. Change the job's configuration or use a backend that supports it.");
        }
    }

    private static void Validate(JobSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Image))
        {
            throw new InvalidJobSpecException("The job names no image.");
        }

        if (spec.WorkingDirectory is { } dir && !dir.StartsWith('/'))
        {
            throw new InvalidJobSpecException($"The working directory must be an absolute path inside the container, not '{dir}'.");
        }

        foreach (var layer in spec.Layers)
        {
            layer.Validate();
        }

        foreach (var mount in spec.Mounts)
        {
            if (!mount.ContainerPath.StartsWith('/'))
            {
                throw new InvalidJobSpecException($"Mount path must be absolute inside the container, not '{mount.ContainerPath}'.");
            }

            if (mount is TmpfsMount { SizeBytes: <= 0 } tmpfs)
            {
                throw new InvalidJobSpecException($"tmpfs at {tmpfs.ContainerPath} needs a positive size, not {tmpfs.SizeBytes}.");
            }
        }

        if (spec.Limits is { MemoryBytes: <= 0 } or { Cpus: <= 0 } or { Pids: <= 0 })
        {
            throw new InvalidJobSpecException($"Resource limits must be positive: {spec.Limits}.");
        }

        if (spec.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new InvalidJobSpecException($"The timeout must be positive, not {timeout}.");
        }

        if (spec.OutputLimitBytes <= 0)
        {
            throw new InvalidJobSpecException($"The output limit must be positive, not {spec.OutputLimitBytes}.");
        }
    }
}
