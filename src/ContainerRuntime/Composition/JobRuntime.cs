namespace ContainerTest.ContainerRuntime.Composition;

using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Backends.Sandbox;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// The one place where backends are chosen and put together. Callers (the test adapter, the
/// tool) see only the runtime's interfaces: one-off jobs (<see cref="Jobs"/>), pools of jobs of one
/// template (<see cref="CreatePoolAsync"/>), interactive jobs (<see cref="Interactive"/>), and the
/// image and housekeeping work a run starts with. Today every backend stands on a Docker Engine:
/// jobs in pools run either in a fresh sandbox inside worker containers or in a container each.
/// </summary>
public sealed class JobRuntime : IJobPoolFactory, IAsyncDisposable
{
    private readonly DockerBackend docker;
    private readonly JobRuntimeOptions options;
    private readonly object isolationLock = new();
    private JobIsolation isolation;

    private JobRuntime(DockerBackend docker, JobRuntimeOptions options)
    {
        this.docker = docker;
        this.options = options;
        isolation = options.Isolation;
        Interactive = new IsolatingInteractiveJobs(this);
    }

    /// <summary>The id every resource of this run carries (label <see cref="ContainerLabels.RunId"/>).</summary>
    public string RunId => docker.RunId;

    /// <summary>Where the engine was found, for messages.</summary>
    public Uri Endpoint => docker.Endpoint;

    /// <summary>One-off jobs, each in a container of its own (probes, a test run outside a pool).</summary>
    public IJobBackend Jobs => docker;

    /// <summary>Jobs tied to a terminal, isolated as pooled jobs are.</summary>
    public IInteractiveJobs Interactive { get; }

    /// <summary>The isolation pools get now: the configured one, or containers after a fallback.</summary>
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

    /// <summary>Finds the engine (as the Docker CLI does) and checks it answers.</summary>
    /// <exception cref="BackendUnavailableException">No engine answers, or it is not ours to use.</exception>
    public static async Task<JobRuntime> ConnectAsync(JobRuntimeOptions? options = null, CancellationToken cancellationToken = default)
    {
        var docker = await DockerBackend.ConnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return new JobRuntime(docker, options ?? new JobRuntimeOptions());
    }

    /// <summary>
    /// The host image: built once from this machine's own .NET runtime and the libraries it
    /// needs (cached by content hash), so .NET jobs run without any registry. Returns its tag.
    /// </summary>
    public Task<string> EnsureHostImageAsync(CancellationToken cancellationToken = default) => docker.EnsureHostImageAsync(cancellationToken);

    /// <summary>
    /// Starts the run's shared services and waits until each is ready; jobs whose network policy
    /// allows a service's endpoints reach it by name. Dispose the result to remove them (the
    /// runtime's disposal removes them too).
    /// </summary>
    public Task<Services.IRunServices> StartServicesAsync(IReadOnlyList<Services.ServiceSpec> services, CancellationToken cancellationToken = default) =>
        docker.StartServicesAsync(services, cancellationToken);

    /// <summary>Removes what earlier runs left when they were killed before they could clean up; returns how many.</summary>
    public Task<int> RemoveOrphansAsync(CancellationToken cancellationToken = default) => docker.RemoveOrphansAsync(cancellationToken);

    /// <summary>Everything carrying ContainerTest's labels on the engine: containers, networks, images (<c>dotnet containertest clean</c>).</summary>
    public Task<IReadOnlyList<Leftover>> FindLeftoversAsync(CancellationToken cancellationToken = default) => DockerLeftovers.FindAsync(docker.Client, cancellationToken);

    /// <summary>Removes those of <paramref name="leftovers"/> whose owner is not a live process on this machine; returns what was removed.</summary>
    public Task<IReadOnlyList<Leftover>> RemoveLeftoversAsync(IEnumerable<Leftover> leftovers, CancellationToken cancellationToken = default) =>
        DockerLeftovers.RemoveAsync(docker.Client, leftovers, cancellationToken);

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
    public ValueTask DisposeAsync() => docker.DisposeAsync();

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
                    return await SandboxInteractiveJob.RunAsync(runtime.docker, spec, terminal, kind, cancellationToken).ConfigureAwait(false);
                }
                catch (SandboxUnavailableException ex)
                {
                    runtime.FallBack(ex);
                }
            }

            return await runtime.docker.RunInteractiveAsync(spec, terminal, kind, cancellationToken).ConfigureAwait(false);
        }
    }
}
