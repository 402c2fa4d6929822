namespace ContainerTest.ContainerRuntime.Composition;

using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Backends.Qemu;
using ContainerTest.ContainerRuntime.Backends.Sandbox;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// The one place where backends are chosen and put together. Callers (the test adapter, the
/// tool) see only the runtime's interfaces: one-off jobs (<see cref="Jobs"/>), pools of jobs of one
/// template (<see cref="CreatePoolAsync"/>), interactive jobs (<see cref="Interactive"/>), and the
/// image and housekeeping work a run starts with. On a Docker Engine (the default), jobs in pools
/// run either in a fresh sandbox inside worker containers or in a container each; with
/// <see cref="RuntimeBackend.Qemu"/> every job runs in a virtual machine of its own and no engine
/// is needed.
/// </summary>
public sealed class JobRuntime : IJobPoolFactory, IAsyncDisposable
{
    private readonly DockerBackend? docker;
    private readonly QemuBackend? qemu;
    private readonly JobRuntimeOptions options;
    private readonly object isolationLock = new();
    private JobIsolation isolation;

    private JobRuntime(DockerBackend? docker, QemuBackend? qemu, JobRuntimeOptions options)
    {
        this.docker = docker;
        this.qemu = qemu;
        this.options = options;
        isolation = qemu is not null ? JobIsolation.VirtualMachine : options.Isolation;
        Interactive = qemu is not null ? qemu : new IsolatingInteractiveJobs(this);
    }

    /// <summary>The id every resource of this run carries (label <see cref="ContainerLabels.RunId"/>).</summary>
    public string RunId => qemu?.RunId ?? Docker.RunId;

    /// <summary>Where the engine was found, for messages (with QEMU: the kernel the VMs boot).</summary>
    public Uri Endpoint => qemu is not null ? new Uri(qemu.Kernel) : Docker.Endpoint;

    /// <summary>One-off jobs, each in a container (or VM) of its own (probes, a test run outside a pool).</summary>
    public IJobBackend Jobs => qemu is not null ? qemu : Docker;

    /// <summary>Jobs tied to a terminal, isolated as pooled jobs are.</summary>
    public IInteractiveJobs Interactive { get; }

    /// <summary>The isolation pools get now: the configured one, containers after a fallback, or VMs with QEMU.</summary>
    public JobIsolation Isolation
    {
        get
        {
            lock (isolationLock)
            {
                return isolation;
            }
        }
    }

    /// <summary>
    /// Finds the engine (as the Docker CLI does) and checks it answers; with
    /// <see cref="RuntimeBackend.Qemu"/>, finds QEMU and a kernel and chooses the accelerator instead.
    /// </summary>
    /// <exception cref="BackendUnavailableException">No engine answers, or it is not ours to use; QEMU, a kernel or a driver is missing.</exception>
    public static async Task<JobRuntime> ConnectAsync(JobRuntimeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new JobRuntimeOptions();
        if (options.Backend == RuntimeBackend.Qemu)
        {
            var vms = await QemuBackend.ConnectAsync(new QemuBackendOptions { Kernel = options.Kernel, OnNotice = options.OnNotice }, cancellationToken).ConfigureAwait(false);
            return new JobRuntime(null, vms, options);
        }

        var docker = await DockerBackend.ConnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return new JobRuntime(docker, null, options);
    }

    /// <summary>
    /// The host image: built once from this machine's own .NET runtime and the libraries it
    /// needs (cached by content hash), so .NET jobs run without any registry. Returns its tag.
    /// </summary>
    public Task<string> EnsureHostImageAsync(CancellationToken cancellationToken = default) =>
        qemu?.EnsureHostImageAsync(cancellationToken) ?? Docker.EnsureHostImageAsync(cancellationToken);

    /// <summary>Removes what earlier runs left when they were killed before they could clean up; returns how many.</summary>
    public Task<int> RemoveOrphansAsync(CancellationToken cancellationToken = default) =>
        qemu is not null ? Task.FromResult(QemuBackend.RemoveOrphans()) : Docker.RemoveOrphansAsync(cancellationToken);

    /// <summary>Everything carrying ContainerTest's labels on the engine: containers, networks, images (<c>dotnet containertest clean</c>); none with QEMU.</summary>
    public Task<IReadOnlyList<Leftover>> FindLeftoversAsync(CancellationToken cancellationToken = default) =>
        docker is null ? Task.FromResult<IReadOnlyList<Leftover>>([]) : DockerLeftovers.FindAsync(docker.Client, cancellationToken);

    /// <summary>Removes those of <paramref name="leftovers"/> whose owner is not a live process on this machine; returns what was removed.</summary>
    public Task<IReadOnlyList<Leftover>> RemoveLeftoversAsync(IEnumerable<Leftover> leftovers, CancellationToken cancellationToken = default) =>
        docker is null ? Task.FromResult<IReadOnlyList<Leftover>>([]) : DockerLeftovers.RemoveAsync(docker.Client, leftovers, cancellationToken);

    /// <summary>
    /// A pool for jobs of <paramref name="jobTemplate"/>, isolated as <see cref="Isolation"/> says.
    /// Where sandboxes cannot be made, the user is told why once and this and every later pool
    /// runs a container per job instead.
    /// </summary>
    /// <exception cref="ContainerRuntimeException">The engine, the image or the request is at fault.</exception>
    public async Task<IJobPool> CreatePoolAsync(JobSpec jobTemplate, JobPoolOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobTemplate);
        ArgumentNullException.ThrowIfNull(options);
        if (qemu is not null)
        {
            return await qemu.CreatePoolAsync(jobTemplate, options, cancellationToken).ConfigureAwait(false);
        }

        var docker = Docker;
        if (Isolation == JobIsolation.Sandbox)
        {
            try
            {
                return await SandboxWorkerPool.StartAsync(docker, jobTemplate, options, cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxUnavailableException ex)
            {
                FallBack(ex);
            }
        }

        // One container per job: started ahead unless asked not to, or each job leases a network of its own.
        return options.Depth == 0 || jobTemplate.Network is AllowListNetworkPolicy
            ? new DirectJobPool(docker, jobTemplate)
            : await docker.CreatePoolAsync(jobTemplate, Math.Min(options.Depth, options.Capacity), options.Capacity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes everything this run still has, then lets go of the engine.</summary>
    public async ValueTask DisposeAsync()
    {
        if (qemu is not null)
        {
            await qemu.DisposeAsync().ConfigureAwait(false);
        }

        if (docker is not null)
        {
            await docker.DisposeAsync().ConfigureAwait(false);
        }
    }

    private DockerBackend Docker => docker ?? throw new InvalidOperationException("This runtime runs jobs in VMs; it has no Docker Engine.");

    private void FallBack(SandboxUnavailableException ex)
    {
        lock (isolationLock)
        {
            if (isolation != JobIsolation.Sandbox)
            {
                return;
            }

            isolation = JobIsolation.Container;
        }

        options.OnNotice?.Invoke(
            $"ContainerTest: tests run one container each, not in sandboxes: {ex.Message} "
            + "Sandboxes are cheaper (no container start per test); to silence this, set ContainerTestIsolation=container.");
    }

    /// <summary>Interactive jobs, isolated as <see cref="Isolation"/> says.</summary>
    private sealed class IsolatingInteractiveJobs(JobRuntime runtime) : IInteractiveJobs
    {
        public async Task<JobResult> RunInteractiveAsync(JobSpec spec, IJobTerminal terminal, string kind, CancellationToken cancellationToken = default)
        {
            if (runtime.Isolation == JobIsolation.Sandbox)
            {
                try
                {
                    return await SandboxInteractiveJob.RunAsync(runtime.Docker, spec, terminal, kind, cancellationToken).ConfigureAwait(false);
                }
                catch (SandboxUnavailableException ex)
                {
                    runtime.FallBack(ex);
                }
            }

            return await runtime.Docker.RunInteractiveAsync(spec, terminal, kind, cancellationToken).ConfigureAwait(false);
        }
    }
}
