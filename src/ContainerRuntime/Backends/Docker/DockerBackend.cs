namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Net;
using System.Net.Sockets;
using ContainerTest.ContainerRuntime.Backends.Docker.AllowList;
using ContainerTest.ContainerRuntime.Backends.Docker.Services;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Network;
using ContainerTest.ContainerRuntime.Services;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;
using ServiceSpec = ContainerTest.ContainerRuntime.Services.ServiceSpec;

/// <summary>
/// Runs jobs in containers of a Docker Engine (Docker.DotNet.Enhanced over the Engine API).
/// Every container carries the run's labels and is removed when its job ends; disposing the
/// backend removes any that are still there.
/// </summary>
public sealed class DockerBackend : IJobBackend, IJobSessionHost
{
    private readonly DockerClient client;
    private readonly LiveContainers live = new();
    private readonly ImagePuller images;
    private readonly CopyOnWriteImages copyOnWriteImages;
    private readonly Lazy<ContainerExitWatch> exitWatch;
    private readonly AllowListNetworks? allowLists;
    private readonly ServiceAddresses serviceAddresses = new();

    /// <summary>Where the run's shared services are (for a cluster's gateways, <see cref="Swarm.SwarmBackend"/>).</summary>
    internal ServiceAddresses ServiceAddresses => serviceAddresses;
    private ServiceContainers? services;
    private int disposed;

    private DockerBackend(DockerClient client, string runId, string apiVersion, bool allowListSupported, string? gatewayImage)
    {
        this.client = client;
        RunId = runId;
        ApiVersion = apiVersion;
        images = new ImagePuller(client);
        copyOnWriteImages = new CopyOnWriteImages(client, RunId);
        exitWatch = new Lazy<ContainerExitWatch>(() => new ContainerExitWatch(client, runId));
        allowLists = allowListSupported ? new AllowListNetworks(client, runId, GatewayImageSource(gatewayImage), serviceAddresses) : null;
    }

    /// <inheritdoc />
    public string Name => "docker";

    /// <inheritdoc />
    public string RunId { get; }

    /// <summary>The engine's API version (1.41 for Docker 20.10).</summary>
    public string ApiVersion { get; }

    /// <summary>Where the engine was found.</summary>
    public Uri Endpoint => client.Options.Endpoint;

    /// <inheritdoc />
    public BackendCapabilities Capabilities =>
        BackendCapabilities.ReadOnlyHostDirectory
        | BackendCapabilities.CopyOnWriteHostDirectory
        | BackendCapabilities.TarLayer
        | BackendCapabilities.FileLayer
        | BackendCapabilities.SymlinkLayer
        | BackendCapabilities.NetworkNone
        | BackendCapabilities.NetworkLoopback
        | BackendCapabilities.NetworkOpen
        | (allowLists is null ? BackendCapabilities.None : BackendCapabilities.NetworkAllowList)
        | BackendCapabilities.TmpfsMount
        | BackendCapabilities.ProcAtSlashProc
        | BackendCapabilities.MemoryLimit
        | BackendCapabilities.CpuLimit
        | BackendCapabilities.PidsLimit
        | BackendCapabilities.UserIdentity
        | BackendCapabilities.Tty
        | BackendCapabilities.Hardening
        | BackendCapabilities.SandboxHost
        | (EngineSocket.IsSupported(Endpoint) ? BackendCapabilities.EngineSocket : BackendCapabilities.None);

    /// <summary>The Docker.DotNet client, for the pieces of this assembly that need the engine directly.</summary>
    internal DockerClient Client => client;

    /// <summary>Finds the engine (as the Docker CLI does, unless an endpoint is given) and checks it answers.</summary>
    /// <exception cref="BackendUnavailableException">The engine is not installed, not running, or not ours to use.</exception>
    public static async Task<DockerBackend> ConnectAsync(DockerBackendOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DockerBackendOptions();
        var (client, apiVersion, engineOs) = await DockerEngineConnector.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        var allowList = AllowListNetworks.IsSupported(client.Options.Endpoint, engineOs, options);
        return new DockerBackend(client, options.RunId ?? NewRunId(), apiVersion, allowList, options.GatewayImage);
    }

    /// <inheritdoc />
    public async Task<JobResult> RunAsync(JobSpec spec, IJobObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        CapabilityCheck.Ensure(this, spec);
        var jobId = spec.JobId ?? Guid.NewGuid().ToString("N")[..12];
        try
        {
            var network = await AttachAsync(spec.Network, cancellationToken).ConfigureAwait(false);
            await using (network.ConfigureAwait(false))
            {
                await images.EnsurePresentAsync(spec.Image, cancellationToken).ConfigureAwait(false);
                var (prepared, bakedPaths) = await copyOnWriteImages.PrepareAsync(spec, cancellationToken).ConfigureAwait(false);
                return await new DockerJobRun(client, prepared, bakedPaths, jobId, RunId, network.Attachment, live, exitWatch.Value).RunAsync(observer, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsEngineGone(ex) && !cancellationToken.IsCancellationRequested)
        {
            throw EngineStopped(ex, jobId);
        }
    }

    /// <summary>
    /// A warm pool for up to <paramref name="capacity"/> jobs of <paramref name="template"/>,
    /// which differ only in their <see cref="JobSpec.StandardInput"/>: up to
    /// <paramref name="depth"/> containers are created and started ahead of need, each then
    /// runs exactly one job and is removed (see <see cref="WarmJobPool"/>). The image, its
    /// prepared copy-on-write image and the network are made ready once, here.
    /// </summary>
    public async Task<WarmJobPool> CreatePoolAsync(JobSpec template, int depth, int capacity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        CapabilityCheck.Ensure(this, template);
        if (template.Network is AllowListNetworkPolicy)
        {
            // An allow-list network is leased to one job at a time; pooled containers would share it.
            throw new ArgumentException("A warm pool cannot run jobs with an allow-list network policy; run them one by one with RunAsync.", nameof(template));
        }

        var network = await AttachAsync(template.Network, cancellationToken).ConfigureAwait(false);
        try
        {
            await images.EnsurePresentAsync(template.Image, cancellationToken).ConfigureAwait(false);
            var (prepared, bakedPaths) = await copyOnWriteImages.PrepareAsync(template, cancellationToken).ConfigureAwait(false);
            var jobSpec = prepared with { StandardInput = null };
            return new WarmJobPool(
                () => new DockerJobRun(client, jobSpec, bakedPaths, Guid.NewGuid().ToString("N")[..12], RunId, network.Attachment, live, exitWatch.Value),
                depth,
                capacity,
                (ex, jobId) => IsEngineGone(ex) ? EngineStopped(ex, jobId) : ex,
                network.DisposeAsync);
        }
        catch
        {
            await network.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<IJobSession> StartSessionAsync(JobSpec spec, IJobObserver observer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(observer);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        CapabilityCheck.Ensure(this, spec);
        var jobId = spec.JobId ?? Guid.NewGuid().ToString("N")[..12];
        var network = await AttachAsync(spec.Network, cancellationToken).ConfigureAwait(false);
        DockerJobRun run;
        try
        {
            await images.EnsurePresentAsync(spec.Image, cancellationToken).ConfigureAwait(false);
            var (prepared, bakedPaths) = await copyOnWriteImages.PrepareAsync(spec, cancellationToken).ConfigureAwait(false);
            run = new DockerJobRun(client, prepared with { StandardInput = null, Timeout = null }, bakedPaths, jobId, RunId, network.Attachment, live, exitWatch.Value);
        }
        catch (Exception ex)
        {
            await network.DisposeAsync().ConfigureAwait(false);
            if (IsEngineGone(ex) && !cancellationToken.IsCancellationRequested)
            {
                throw EngineStopped(ex, jobId);
            }

            throw;
        }

        // From here the session gives the network back, whether it starts or not.
        return await DockerJobSession.StartAsync(run, observer, ex => IsEngineGone(ex) ? EngineStopped(ex, jobId) : ex, () => StoppingAsync(jobId), network.DisposeAsync, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one job interactively: its container gets a pseudo-terminal tied to
    /// <paramref name="terminal"/> (input, output, window size) and carries the label
    /// <c>io.containertest.kind=<paramref name="kind"/></c>. The job's timeout does not apply: it
    /// ends when its process exits or <paramref name="cancellationToken"/> fires (the container
    /// is then killed); either way its container is removed. Output is not captured.
    /// </summary>
    public async Task<JobResult> RunInteractiveAsync(JobSpec spec, IJobTerminal terminal, string kind, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(terminal);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        CapabilityCheck.Ensure(this, spec);
        var jobId = spec.JobId ?? Guid.NewGuid().ToString("N")[..12];
        var network = await AttachAsync(spec.Network, cancellationToken).ConfigureAwait(false);
        await using (network.ConfigureAwait(false))
        {
            await images.EnsurePresentAsync(spec.Image, cancellationToken).ConfigureAwait(false);
            var (prepared, bakedPaths) = await copyOnWriteImages.PrepareAsync(spec, cancellationToken).ConfigureAwait(false);
            return await new DockerInteractiveRun(client, prepared, bakedPaths, jobId, RunId, network.Attachment, live, exitWatch.Value).RunAsync(terminal, kind, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts the run's shared services (see <see cref="ServiceContainers"/>) and waits until each
    /// is ready. Jobs whose allow-list names a service reach it through their gateway; jobs on the
    /// open network find its name in their /etc/hosts. Removed when disposed, or with the backend.
    /// </summary>
    /// <param name="specs">The services.</param>
    /// <param name="publishOn">For workers on other machines (a cluster's nodes): this engine's address they reach, on which each listed port is also published; null: not published.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <exception cref="ContainerRuntimeException">A service is misnamed, or did not start or become ready.</exception>
    public async Task<IRunServices> StartServicesAsync(IReadOnlyList<ServiceSpec> specs, string? publishOn = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (allowLists is null && specs.Count > 0)
        {
            throw new UnsupportedCapabilityException("docker", BackendCapabilities.NetworkAllowList, $"Shared services need a Linux engine on a local socket (jobs reach them through allow-list gateways); the engine at {Endpoint} is not one.");
        }

        var started = await ServiceContainers.StartAsync(client, RunId, images, serviceAddresses, specs, publishOn, cancellationToken).ConfigureAwait(false);
        services = started;
        return started;
    }

    /// <summary>
    /// The host image: built once from this machine's own .NET runtime and the libraries it
    /// needs (cached by content hash), so .NET tests run without any registry.
    /// </summary>
    /// <returns>The image's local tag.</returns>
    public Task<string> EnsureHostImageAsync(CancellationToken cancellationToken = default) =>
        new HostImage.HostImageBuilder(client).EnsureImageAsync(cancellationToken);

    /// <summary>
    /// Removes leftovers of earlier runs on this machine whose process died before it could clean
    /// up (killed hard). Returns how many were removed.
    /// </summary>
    public Task<int> RemoveOrphansAsync(CancellationToken cancellationToken = default) =>
        OrphanReaper.RemoveOrphansAsync(client, cancellationToken);

    /// <summary>Removes every container (and network) this backend created that is still there, then closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Task.WhenAll(live.Snapshot().Select(async id =>
        {
            try
            {
                await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
            {
                // Still labelled: `dotnet containertest clean` finds it.
            }
        })).ConfigureAwait(false);
        if (allowLists is not null)
        {
            await allowLists.DisposeAsync().ConfigureAwait(false); // after the jobs: their networks are free only then
        }

        if (services is not null)
        {
            await services.DisposeAsync().ConfigureAwait(false); // after the jobs and gateways that reached them
        }

        if (exitWatch.IsValueCreated)
        {
            exitWatch.Value.Dispose();
        }

        client.Dispose();
    }

    private async Task<NetworkLease> AttachAsync(NetworkPolicy policy, CancellationToken cancellationToken) => policy switch
    {
        // Docker's "none" gives the container a namespace of its own whose only interface is its
        // private loopback: nothing outside the container is reachable, not even the host.
        // That is exactly "loopback"; for "none" it is the nearest Docker offers (it cannot
        // remove the loopback interface), and reaching nothing beyond the container holds for both.
        NoNetworkPolicy or LoopbackNetworkPolicy => new NetworkLease(NetworkAttachment.Isolated),
        OpenNetworkPolicy => new NetworkLease(NetworkAttachment.DefaultBridge with { ExtraHosts = serviceAddresses.ExtraHosts }),
        AllowListNetworkPolicy allow when allowLists is not null => await allowLists.LeaseAsync(allow, cancellationToken).ConfigureAwait(false),
        _ => throw new UnsupportedCapabilityException("docker", BackendCapabilities.NetworkAllowList, $"The docker backend cannot apply the network policy '{policy}'."),
    };

    private Func<CancellationToken, Task<string>> GatewayImageSource(string? image) => image is null
        ? new HostImage.HostImageBuilder(client).EnsureImageAsync
        : async cancellationToken =>
        {
            await images.EnsurePresentAsync(image, cancellationToken).ConfigureAwait(false);
            return image;
        };

    /// <summary>
    /// Whether the engine is going away: it stops every container before it stops answering, so
    /// this watches for a few seconds whether it still answers. The error to report when it does
    /// not; null while it answers.
    /// </summary>
    private async Task<Exception?> StoppingAsync(string jobId)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.System.PingAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsEngineGone(ex) || ex is OperationCanceledException or DockerApiException)
            {
                return EngineStopped(ex, jobId);
            }

            await Task.Delay(500).ConfigureAwait(false);
        }

        return null;
    }

    private BackendUnavailableException EngineStopped(Exception ex, string jobId) => new(
        $"The Docker Engine at {Endpoint} stopped answering while running job {jobId} ({DockerEngineConnector.Innermost(ex).Message.TrimEnd('.')}): it was stopped or crashed. "
        + "Check that it is running (`docker info`; on Linux `sudo systemctl status docker`), start it again if it is not, then run the tests again.",
        RetryClass.Retryable,
        ex);

    private static bool IsEngineGone(Exception ex) =>
        ex is HttpRequestException or SocketException or IOException
        || (ex is DockerApiException api && api.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable);

    private static string NewRunId() => DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
}
