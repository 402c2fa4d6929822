namespace ContainerTest.ContainerRuntime.Composition;

using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Backends.Docker.Reaper;
using ContainerTest.ContainerRuntime.Backends.Qemu;
using ContainerTest.ContainerRuntime.Backends.Sandbox;
using ContainerTest.ContainerRuntime.Backends.Swarm;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// The one place where backends are chosen and put together. Callers (the test adapter, the
/// tool) see only the runtime's interfaces: one-off jobs (<see cref="Jobs"/>), pools of jobs of one
/// template (<see cref="CreatePoolAsync"/>), interactive jobs (<see cref="Interactive"/>), and the
/// image and housekeeping work a run starts with. On a Docker Engine (the default), jobs in pools
/// run either in a fresh sandbox inside worker containers or in a container each; with a cluster
/// (<see cref="JobRuntimeOptions.Cluster"/>), the sandbox workers run on the nodes of the engine's
/// Swarm instead of on the engine itself; with <see cref="RuntimeBackend.Qemu"/> every job runs in a
/// virtual machine of its own and no engine is needed.
/// </summary>
/// <remarks>
/// Before anything of the run exists on the engine, the runtime starts the run's reaper
/// (<see cref="RunReaper"/>): a container that holds a link from this process and removes every
/// container, network and volume of the run when the link drops — when this process is killed at
/// any instant, as well as when it ends. Every way of making something (<see cref="Jobs"/>,
/// <see cref="CreatePoolAsync"/>, <see cref="Interactive"/>) waits for it, whatever the isolation.
/// Where it cannot start, the user is told once and the run goes on as before. With QEMU there is
/// no engine and no reaper: each VM dies with this process (its launcher sees to that).
/// </remarks>
public sealed class JobRuntime : IJobPoolFactory, IAsyncDisposable
{
    private readonly DockerBackend? docker;
    private readonly SwarmBackend? swarm;
    private readonly QemuBackend? qemu;
    private readonly JobRuntimeOptions options;
    private readonly object isolationLock = new();
    private readonly object reaperLock = new();
    private JobIsolation isolation;
    private Task<RunReaper?>? reaper;

    private JobRuntime(DockerBackend? docker, SwarmBackend? swarm, QemuBackend? qemu, JobRuntimeOptions options)
    {
        this.docker = docker;
        this.swarm = swarm;
        this.qemu = qemu;
        this.options = options;
        isolation = qemu is not null ? JobIsolation.VirtualMachine : options.Isolation;
        Jobs = qemu is not null ? qemu : new ReapedJobs(this);
        Interactive = qemu is not null ? qemu : new IsolatingInteractiveJobs(this);
    }

    /// <summary>The id every resource of this run carries (label <see cref="ContainerLabels.RunId"/>).</summary>
    public string RunId => qemu?.RunId ?? Docker.RunId;

    /// <summary>Where the engine was found, for messages (with QEMU: the kernel the VMs boot).</summary>
    public Uri Endpoint => qemu is not null ? new Uri(qemu.Kernel) : Docker.Endpoint;

    /// <summary>One-off jobs, each in a container (or VM) of its own (probes, a test run outside a pool).</summary>
    public IJobBackend Jobs { get; }

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
    /// Finds the engine (as the Docker CLI does) and checks it answers; with a cluster, also that
    /// the engine manages a Swarm the run can use; with <see cref="RuntimeBackend.Qemu"/>, finds
    /// QEMU and a kernel and chooses the accelerator instead.
    /// </summary>
    /// <exception cref="BackendUnavailableException">No engine answers, or it is not ours to use; the cluster asked for cannot be used; QEMU, a kernel or a driver is missing (the message says why).</exception>
    public static async Task<JobRuntime> ConnectAsync(JobRuntimeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new JobRuntimeOptions();
        if (options.Backend == RuntimeBackend.Qemu)
        {
            if (options.Cluster == JobCluster.Swarm)
            {
                throw new BackendUnavailableException(
                    "ContainerTestCluster=swarm spreads sandbox workers over a Swarm's Docker Engines; ContainerTestBackend=qemu runs a VM per test on this machine. Unset one of the two.",
                    RetryClass.NotRetryable);
            }

            var vms = await QemuBackend.ConnectAsync(new QemuBackendOptions { Kernel = options.Kernel, OnNotice = options.OnNotice }, cancellationToken).ConfigureAwait(false);
            return new JobRuntime(null, null, vms, options);
        }

        if (options.Cluster == JobCluster.Swarm && options.Isolation == JobIsolation.Container)
        {
            throw new BackendUnavailableException(
                "ContainerTestCluster=swarm runs the tests in sandboxes on the cluster's workers; ContainerTestIsolation=container (a container per test on one engine) cannot be combined with it. Unset one of the two.",
                RetryClass.NotRetryable);
        }

        var docker = await DockerBackend.ConnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        SwarmBackend? swarm = null;
        if (options.Cluster == JobCluster.Swarm)
        {
            try
            {
                swarm = await SwarmBackend.ConnectAsync(docker, options.Registry, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await docker.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return new JobRuntime(docker, swarm, null, options);
    }

    /// <summary>
    /// The host image: built once from this machine's own .NET runtime and the libraries it
    /// needs (cached by content hash), so .NET jobs run without any registry. Returns its tag.
    /// </summary>
    public async Task<string> EnsureHostImageAsync(CancellationToken cancellationToken = default)
    {
        if (qemu is not null)
        {
            return await qemu.EnsureHostImageAsync(cancellationToken).ConfigureAwait(false);
        }

        var image = await Docker.EnsureHostImageAsync(cancellationToken).ConfigureAwait(false);

        // The reaper runs on this image: start it now, beside whatever the caller does next.
        _ = ReaperAsync(image);
        return image;
    }

    /// <summary>
    /// Removes what earlier runs left when they were killed before they could clean up; returns
    /// how many (on the cluster too). A run starts here: its reaper starts at the same time.
    /// </summary>
    public async Task<int> RemoveOrphansAsync(CancellationToken cancellationToken = default)
    {
        if (qemu is not null)
        {
            return QemuBackend.RemoveOrphans();
        }

        _ = ReaperAsync(jobImage: null);
        return await Docker.RemoveOrphansAsync(cancellationToken).ConfigureAwait(false)
            + (swarm is null ? 0 : await swarm.RemoveOrphansAsync().ConfigureAwait(false));
    }

    /// <summary>
    /// Starts the run's shared services and waits until each is ready; jobs whose network policy
    /// allows a service's endpoints reach it by name. Dispose the result to remove them (the
    /// runtime's disposal removes them too).
    /// </summary>
    /// <exception cref="ContainerRuntimeException">A service is misnamed, or did not start or become ready.</exception>
    /// <exception cref="BackendUnavailableException">The run's jobs run in VMs (services are containers on an engine).</exception>
    public Task<Services.IRunServices> StartServicesAsync(IReadOnlyList<Services.ServiceSpec> services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (qemu is not null)
        {
            throw new BackendUnavailableException(
                "shared services run as containers on a Docker Engine, and the qemu backend runs without one: set ContainerTestBackend=docker for a run with services, or remove the services.",
                RetryClass.NotRetryable);
        }

        // On a cluster they run on the manager's engine, their ports published at its address for the gateways beside the workers on the other nodes.
        return Docker.StartServicesAsync(services, swarm?.ManagerAddress, cancellationToken);
    }

    /// <summary>
    /// Everything carrying ContainerTest's labels on the engine: containers, networks, images and,
    /// when the engine is a Swarm manager, the cluster's services and secrets (<c>dotnet containertest clean</c>).
    /// </summary>
    public Task<IReadOnlyList<Leftover>> FindLeftoversAsync(CancellationToken cancellationToken = default) =>
        docker is null ? Task.FromResult<IReadOnlyList<Leftover>>([]) : FindLeftoversAsync(docker.Client, cancellationToken);

    /// <summary>
    /// Removes those of <paramref name="leftovers"/> whose owner is not a live process on this
    /// machine — a Swarm's services and secrets first, so that their containers go with them —
    /// and returns what was removed.
    /// </summary>
    public Task<IReadOnlyList<Leftover>> RemoveLeftoversAsync(IEnumerable<Leftover> leftovers, CancellationToken cancellationToken = default) =>
        docker is null ? Task.FromResult<IReadOnlyList<Leftover>>([]) : RemoveLeftoversAsync(docker.Client, leftovers, cancellationToken);

    /// <summary>What <see cref="FindLeftoversAsync(CancellationToken)"/> finds, on the engine of <paramref name="client"/>.</summary>
    internal static async Task<IReadOnlyList<Leftover>> FindLeftoversAsync(global::Docker.DotNet.IDockerClient client, CancellationToken cancellationToken)
    {
        var cluster = await SwarmLeftovers.FindAsync(client, cancellationToken).ConfigureAwait(false);
        var engine = await DockerLeftovers.FindAsync(client, cancellationToken).ConfigureAwait(false);
        return [.. cluster, .. engine];
    }

    /// <summary>What <see cref="RemoveLeftoversAsync(IEnumerable{Leftover}, CancellationToken)"/> does, on the engine of <paramref name="client"/>.</summary>
    internal static async Task<IReadOnlyList<Leftover>> RemoveLeftoversAsync(global::Docker.DotNet.IDockerClient client, IEnumerable<Leftover> leftovers, CancellationToken cancellationToken)
    {
        var items = leftovers.ToList();
        var cluster = await SwarmLeftovers.RemoveAsync(client, items, cancellationToken).ConfigureAwait(false);
        var engine = await DockerLeftovers.RemoveAsync(client, items, cancellationToken).ConfigureAwait(false);
        return [.. cluster, .. engine];
    }

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
        await ReaperAsync(jobTemplate.Image).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (swarm is not null)
        {
            try
            {
                return await SandboxWorkerPool.StartAsync(swarm, jobTemplate, options, cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxUnavailableException ex)
            {
                // No falling back to this machine: the run asked for the cluster.
                throw new ContainerRuntimeException($"Sandboxes cannot be made on the Swarm cluster's nodes: {ex.Message}", RetryClass.NotRetryable, ex);
            }
        }

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

    /// <summary>
    /// Starts the run's reaper now, in the background, instead of with the first pool (which waits
    /// for it before it makes anything): a caller that knows the image early takes the reaper's
    /// start (create, copy, attach, start: about 0.3 s here) off the path to the first job. Does
    /// nothing for VMs, which leave nothing on an engine. A reaper that cannot start is reported
    /// through <see cref="JobRuntimeOptions.OnNotice"/>, as it is when the first pool starts it.
    /// </summary>
    /// <param name="image">The image the run's jobs use (the reaper runs on the host image where there is one).</param>
    public void StartReaper(string image)
    {
        if (docker is not null)
        {
            _ = ReaperAsync(image);
        }
    }

    /// <summary>Removes everything this run still has (on the cluster first), lets its reaper go, then lets go of the engine.</summary>
    public async ValueTask DisposeAsync()
    {
        if (swarm is not null)
        {
            await swarm.DisposeAsync().ConfigureAwait(false);
        }

        Task<RunReaper?>? starting;
        lock (reaperLock)
        {
            starting = reaper;
            reaper = Task.FromResult<RunReaper?>(null); // nothing is made after this
        }

        if (qemu is not null)
        {
            await qemu.DisposeAsync().ConfigureAwait(false);
        }

        var started = starting is null ? null : await starting.ConfigureAwait(false);
        try
        {
            if (docker is not null)
            {
                await docker.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            if (started is not null)
            {
                await started.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The run's reaper, started on first use: on a host image where this machine has or can
    /// build one (Linux), else on the image of the first job (<paramref name="jobImage"/>), which
    /// then needs .NET. Null when it could not start (the user was told why), or while no job
    /// image is known where there is no host image.
    /// </summary>
    private Task<RunReaper?> ReaperAsync(string? jobImage)
    {
        lock (reaperLock)
        {
            if (reaper is null && jobImage is null && !OperatingSystem.IsLinux())
            {
                return Task.FromResult<RunReaper?>(null);
            }

            return reaper ??= Task.Run(() => StartReaperAsync(jobImage));
        }
    }

    private async Task<RunReaper?> StartReaperAsync(string? jobImage)
    {
        try
        {
            if (!OperatingSystem.IsLinux())
            {
                return await RunReaper.StartAsync(Docker.Client, jobImage!, Docker.RunId, lost => Unprotected(lost)).ConfigureAwait(false);
            }

            // A host image the engine has already: this run's own may take a moment to work out.
            if (await ReaperImage.FindAsync(Docker.Client, CancellationToken.None).ConfigureAwait(false) is { } existing)
            {
                try
                {
                    return await RunReaper.StartAsync(Docker.Client, existing, Docker.RunId, lost => Unprotected(lost)).ConfigureAwait(false);
                }
                catch (global::Docker.DotNet.DockerImageNotFoundException)
                {
                    // Removed meanwhile: make this run's own.
                }
            }

            var image = await Docker.EnsureHostImageAsync(CancellationToken.None).ConfigureAwait(false);
            return await RunReaper.StartAsync(Docker.Client, image, Docker.RunId, lost => Unprotected(lost)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever went wrong, the run itself goes on: only what a kill would leave is at stake.
            var cause = ex is ContainerRuntimeException ? ex.Message : DockerEngineConnector.Innermost(ex).Message;
            Unprotected($"the run's reaper could not start: {cause.TrimEnd('.')}");
            return null;
        }
    }

    private void Unprotected(string why) =>
        options.OnNotice?.Invoke(
            $"ContainerTest: {why}. If this run is killed, what it made on the engine stays until the next run removes it (or `dotnet containertest clean`).");

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

    /// <summary>One-off jobs in a container each, made once the run's reaper holds its link.</summary>
    private sealed class ReapedJobs(JobRuntime runtime) : IJobBackend
    {
        public string Name => runtime.Docker.Name;

        public string RunId => runtime.Docker.RunId;

        public BackendCapabilities Capabilities => runtime.Docker.Capabilities;

        public async Task<JobResult> RunAsync(JobSpec spec, IJobObserver? observer = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(spec);
            await runtime.ReaperAsync(spec.Image).WaitAsync(cancellationToken).ConfigureAwait(false);
            return await runtime.Docker.RunAsync(spec, observer, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The runtime owns the backend: disposing the runtime disposes it.</summary>
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Interactive jobs, isolated as <see cref="Isolation"/> says.</summary>
    private sealed class IsolatingInteractiveJobs(JobRuntime runtime) : IInteractiveJobs
    {
        public async Task<JobResult> RunInteractiveAsync(JobSpec spec, IJobTerminal terminal, string kind, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(spec);
            await runtime.ReaperAsync(spec.Image).WaitAsync(cancellationToken).ConfigureAwait(false);
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
