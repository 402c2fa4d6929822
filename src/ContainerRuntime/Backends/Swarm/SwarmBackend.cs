namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Backends.Swarm.Relay;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Network;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Runs sessions (sandbox workers) on the nodes of a Docker Swarm whose manager is the engine of
/// DOCKER_HOST: each worker is a Swarm service whose one task — placed by Swarm — is the launcher
/// (ClusterLauncher), which dials this test host, starts the worker container on its own node's
/// engine exactly as a local worker is started, and relays the worker's stdin and stdout. Nothing
/// reaches a node through a bind mount from the test host: the worker's image and layers are baked
/// into one image, pushed to the run's registry and pinned by digest (<see cref="ClusterImages"/>).
/// One guard service per run, on a manager, removes the run's services should this process die
/// without doing so itself; disposing the backend removes them all.
/// </summary>
public sealed class SwarmBackend : IJobSessionHost, IAsyncDisposable
{
    /// <summary>How long a worker's launcher may take from its service's creation to dialling in (a first pull of the image on a node included).</summary>
    private static readonly TimeSpan LauncherPatience = TimeSpan.FromMinutes(3);

    /// <summary>How long Swarm may find no node for a worker before the start is given up.</summary>
    private static readonly TimeSpan UnplacedPatience = TimeSpan.FromSeconds(30);

    private readonly DockerClient client;
    private readonly ClusterImages images;
    private readonly LauncherListener listener;
    private readonly string secretId;
    private readonly string secretName;
    private readonly AuthConfig? registryAuth;
    private readonly Docker.Services.ServiceAddresses sharedServices;
    private readonly ConcurrentDictionary<string, string> services = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim guardStart = new(1);
    private readonly CancellationTokenSource stop = new();
    private RelayConnection? guard;
    private Task guardReading = Task.CompletedTask;
    private int disposed;

    private SwarmBackend(
        DockerClient client, string runId, string registry, LauncherListener listener, string secretId, string secretName, AuthConfig? registryAuth, long nodes, string managerAddress, Docker.Services.ServiceAddresses sharedServices)
    {
        this.client = client;
        ManagerAddress = managerAddress;
        this.sharedServices = sharedServices;
        RunId = runId;
        Registry = registry;
        this.listener = listener;
        this.secretId = secretId;
        this.secretName = secretName;
        this.registryAuth = registryAuth;
        Nodes = nodes;
        images = new ClusterImages(client, registry, runId);
    }

    /// <summary>The run's id, on every service, secret and container of the run.</summary>
    public string RunId { get; }

    /// <summary>The registry the nodes pull the worker image from.</summary>
    public string Registry { get; }

    /// <summary>How many nodes the cluster had when the run began.</summary>
    public long Nodes { get; }

    /// <summary>Where the launchers dial this test host.</summary>
    public IPEndPoint Listener => listener.Endpoint;

    /// <summary>The manager's address in the cluster (Swarm's NodeAddr): where the run's shared services are published for the workers.</summary>
    public string ManagerAddress { get; }

    /// <summary>
    /// Takes the engine <paramref name="manager"/> talks to as the cluster's manager: checks that it
    /// is one, finds the address the nodes reach this machine by, starts listening there, and
    /// stores the run's secret in the cluster.
    /// </summary>
    /// <param name="manager">The engine of DOCKER_HOST (it bakes and pushes the images, and is asked to make services).</param>
    /// <param name="registry">Where the nodes pull from (<c>host[:port][/path]</c>), as ContainerTestRegistry says.</param>
    /// <param name="cancellationToken">Stops the connecting.</param>
    /// <exception cref="BackendUnavailableException">No registry given, not a Swarm manager, or no address the nodes could reach; the message says which and how to fix it.</exception>
    public static async Task<SwarmBackend> ConnectAsync(DockerBackend manager, string? registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manager);
        registry = registry?.Trim().TrimEnd('/');
        if (string.IsNullOrEmpty(registry))
        {
            throw new BackendUnavailableException(
                "ContainerTestCluster=swarm needs ContainerTestRegistry: a registry every node of the cluster can pull from and this machine's engine can push to (for example registry.example:5000). "
                + "The test's files reach the nodes as an image pushed there; no node shares a disk with this machine.",
                RetryClass.NotRetryable);
        }

        if (registry.Contains("://", StringComparison.Ordinal) || registry.Any(char.IsWhiteSpace) || registry.Contains('@', StringComparison.Ordinal))
        {
            throw new BackendUnavailableException(
                $"ContainerTestRegistry '{registry}' is not a registry: give its host, port and optionally a path, without a scheme, tag or digest (for example registry.example:5000 or registry.example/team).",
                RetryClass.NotRetryable);
        }

        var client = manager.Client;
        var info = (await client.System.GetSystemInfoAsync(cancellationToken).ConfigureAwait(false)).Swarm;
        if (info is null || !string.Equals(info.LocalNodeState, "active", StringComparison.OrdinalIgnoreCase))
        {
            throw new BackendUnavailableException(
                $"ContainerTestCluster=swarm, but the Docker Engine at {manager.Endpoint} is not part of a Swarm (its swarm state is '{info?.LocalNodeState ?? "unknown"}'). "
                + "Point DOCKER_HOST at a manager of the cluster (`docker node ls` must work there), or unset ContainerTestCluster to run on this engine alone.",
                RetryClass.NotRetryable);
        }

        if (!info.ControlAvailable)
        {
            throw new BackendUnavailableException(
                $"ContainerTestCluster=swarm, but the Docker Engine at {manager.Endpoint} is a worker node of its Swarm, not a manager: only a manager can create services. "
                + "Point DOCKER_HOST at a manager (`docker node ls` lists them).",
                RetryClass.NotRetryable);
        }

        var address = HostAddress.Toward(info.NodeAddr);
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var listener = LauncherListener.Start(address, token);
        try
        {
            var secretName = "containertest-" + manager.RunId;
            var secret = await client.Secrets.CreateAsync(
                new SwarmSecretSpec
                {
                    Name = secretName,
                    Labels = Labels(manager.RunId, "cluster-secret"),
                    Data = System.Text.Encoding.UTF8.GetBytes(token),
                },
                cancellationToken).ConfigureAwait(false);
            var auth = await RegistryCredentials.FindAsync(ImageReference.Parse(registry + "/x").RegistryHost, cancellationToken).ConfigureAwait(false);
            return new SwarmBackend(client, manager.RunId, registry, listener, secret.ID, secretName, auth, info.Nodes ?? 0, info.NodeAddr, manager.ServiceAddresses);
        }
        catch
        {
            await listener.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts <paramref name="spec"/> (a sandbox worker) on a node Swarm chooses; its output goes to
    /// <paramref name="observer"/>. A worker the node's engine would not start comes back as a
    /// session already completed with <see cref="TerminationReason.FailedToStart"/>.
    /// </summary>
    /// <exception cref="UnsupportedCapabilityException">The job asks for what workers on a cluster cannot do (a terminal).</exception>
    /// <exception cref="InvalidJobSpecException">Its allow-list names loopback, an IP address, or a host that does not resolve on this machine.</exception>
    /// <exception cref="ContainerRuntimeException">The image could not be made or pushed, or Swarm could not run the worker's launcher; the message says why.</exception>
    public async Task<IJobSession> StartSessionAsync(JobSpec spec, IJobObserver observer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(observer);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        CheckCapabilities(spec);
        var launcher = LauncherAssets.Layer
            ?? throw new BackendUnavailableException("This build of ContainerTest carries no cluster launcher (project ClusterLauncher was not embedded): build ContainerTest again.", RetryClass.NotRetryable);
        var image = await images.PrepareAsync(spec with { Layers = [.. spec.Layers, launcher] }, cancellationToken).ConfigureAwait(false);
        var context = new LaunchContext(RunId, image, spec.DotnetHost ?? "dotnet", listener.Endpoint, secretId, secretName, registryAuth);
        await EnsureGuardAsync(context, cancellationToken).ConfigureAwait(false);

        var jobId = spec.JobId ?? "w" + Guid.NewGuid().ToString("N")[..11];
        var allowList = await ClusterAllowList.PlanAsync(spec.Network, sharedServices, image, context.DotnetHost, listener.Endpoint.Address.ToString(), RunId, cancellationToken).ConfigureAwait(false);
        var plan = new WorkerPlan(
            WorkerCreateRequest.For(spec with { Image = image }, jobId, RunId, allowList?.Network),
            allowList,
            [.. spec.Mounts.OfType<EngineSocketMount>().Select(m => m.ContainerPath)]);
        var (connection, node) = await LaunchAsync(jobId, LauncherServices.Worker(jobId, context), cancellationToken).ConfigureAwait(false);
        return await SwarmJobSession.StartAsync(jobId, node, connection, plan, observer, spec.OutputLimitBytes, () => RemoveServiceAsync(jobId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes every service of the run (its workers, then its guard) and its secret, and stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(services.Keys.Select(j => RemoveServiceAsync(j).AsTask())).ConfigureAwait(false);
        if (guard is not null)
        {
            try
            {
                await guard.WriteAsync(RelayFrame.Kill, ReadOnlyMemory<byte>.Empty).ConfigureAwait(false); // the run is over: nothing for it to remove
            }
            catch (IOException)
            {
                // gone already
            }

            await guard.DisposeAsync().ConfigureAwait(false);
            await guardReading.ConfigureAwait(false);
        }

        await SwarmLeftovers.RemoveRunAsync(client, RunId).ConfigureAwait(false);
        await listener.DisposeAsync().ConfigureAwait(false);
        stop.Dispose();
        guardStart.Dispose();
    }

    /// <summary>Removes the services and secrets of earlier runs of this machine that were killed before they could; returns how many.</summary>
    public Task<int> RemoveOrphansAsync() => SwarmLeftovers.RemoveOrphansAsync(client);

    /// <summary>Everything ContainerTest labels on a service or secret of a run.</summary>
    internal static Dictionary<string, string> Labels(string runId, string kind) => new()
    {
        [ContainerLabels.Managed] = "true",
        [ContainerLabels.RunId] = runId,
        [ContainerLabels.Kind] = kind,
        [ContainerLabels.OwnerProcessId] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
        [ContainerLabels.OwnerHost] = Environment.MachineName,
    };

    private static void CheckCapabilities(JobSpec spec)
    {
        if (spec.Tty)
        {
            throw new UnsupportedCapabilityException("swarm", BackendCapabilities.Tty, "Jobs on a terminal (a shell) run on the engine of DOCKER_HOST, not on a cluster's nodes.");
        }
    }

    /// <summary>Starts the run's guard once, before the first worker.</summary>
    private async Task EnsureGuardAsync(LaunchContext context, CancellationToken cancellationToken)
    {
        if (guard is not null)
        {
            return;
        }

        await guardStart.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (guard is null)
            {
                var (connection, _) = await LaunchAsync("guard", LauncherServices.Guard(context), cancellationToken).ConfigureAwait(false);
                connection.StartHeartbeat();
                guard = connection;
                guardReading = DrainAsync(connection);
            }
        }
        finally
        {
            guardStart.Release();
        }
    }

    /// <summary>The guard says nothing but heartbeats; they are read so its writes never block.</summary>
    private static async Task DrainAsync(RelayConnection connection)
    {
        try
        {
            while (await connection.ReadAsync().ConfigureAwait(false) is not null)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidDataException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The guard is gone (or we closed it); the run's own disposal removes what it would have.
        }
    }

    /// <summary>Creates the launcher's service for <paramref name="session"/> and waits until the launcher has dialled in.</summary>
    private async Task<(RelayConnection Connection, string Node)> LaunchAsync(string session, ServiceCreateParameters service, CancellationToken cancellationToken)
    {
        var arrival = listener.ExpectAsync(session);
        try
        {
            services[session] = (await client.Swarm.CreateServiceAsync(service, cancellationToken).ConfigureAwait(false)).ID ?? throw new ContainerRuntimeException("The Swarm manager created a service but gave no id.", RetryClass.Unknown);
            return await WaitForLauncherAsync(session, arrival, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            listener.Forget(session);
            await RemoveServiceAsync(session).ConfigureAwait(false);
            throw new ContainerRuntimeException($"The Swarm manager refused to create the service of a worker: {DockerJobRun.ApiMessage(ex)}", RetryClass.Unknown, ex);
        }
        catch
        {
            listener.Forget(session);
            await RemoveServiceAsync(session).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Waits for the launcher's hello, watching its task meanwhile: a task Swarm could not place,
    /// that failed, or that ended before dialling in ends the wait with Swarm's reason (and the
    /// launcher's own last words from the service's log).
    /// </summary>
    private async Task<(RelayConnection, string)> WaitForLauncherAsync(string session, Task<(RelayConnection Connection, string Node)> arrival, CancellationToken cancellationToken)
    {
        var serviceId = services[session];
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var lastState = "not yet scheduled";
        while (true)
        {
            if (await Task.WhenAny(arrival, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(false) == arrival)
            {
                return await arrival.ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var task = (await client.Tasks.ListAsync(
                new TasksListParameters { Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = new Dictionary<string, bool> { [serviceId] = true } } },
                cancellationToken).ConfigureAwait(false)).OrderByDescending(t => t.CreatedAt).FirstOrDefault();
            var state = task?.Status?.State;
            var why = task?.Status?.Err is { Length: > 0 } err ? err : task?.Status?.Message ?? string.Empty;
            var node = task?.NodeID is { Length: > 0 } nodeId ? await NodeAsync(nodeId, cancellationToken).ConfigureAwait(false) : null;
            lastState = $"{state?.ToString().ToLowerInvariant() ?? "not yet scheduled"}{(why.Length > 0 ? ": " + why : string.Empty)}{(node is null ? string.Empty : " on node " + node.Value.Name)}";
            if (state is TaskState.Failed or TaskState.Rejected or TaskState.Complete or TaskState.Shutdown or TaskState.Orphaned or TaskState.Remove)
            {
                throw new ContainerRuntimeException(
                    $"Swarm could not run a worker's launcher ({lastState}){await LogTailAsync(serviceId).ConfigureAwait(false)}. "
                    + $"Check that every node can pull {Registry}/{ClusterImages.RemoteRepository} (a registry on plain HTTP must be among each node's insecure-registries) and reach this machine at {listener.Endpoint}.",
                    RetryClass.Unknown);
            }

            if (node is { Down: true } down)
            {
                throw new ContainerRuntimeException($"Swarm placed a worker on node {down.Name}, which is down; the worker was not started there.", RetryClass.Retryable);
            }

            if ((state is null or TaskState.New or TaskState.Pending && waited.Elapsed > UnplacedPatience) || waited.Elapsed > LauncherPatience)
            {
                throw new ContainerRuntimeException(
                    $"A worker's launcher did not dial in to this machine at {listener.Endpoint} within {waited.Elapsed.TotalSeconds:0} s (its task: {lastState}){await LogTailAsync(serviceId).ConfigureAwait(false)}. "
                    + "Check that the cluster has a node that can run it (`docker node ls`), that the nodes can reach this machine at that address (no firewall between), and that they can pull the image.",
                    RetryClass.Retryable);
            }
        }
    }

    private async Task<(string Name, bool Down)?> NodeAsync(string nodeId, CancellationToken cancellationToken)
    {
        try
        {
            var node = await client.Swarm.InspectNodeAsync(nodeId, cancellationToken).ConfigureAwait(false);
            return (node.Description?.Hostname is { Length: > 0 } name ? name : nodeId, string.Equals(node.Status?.State, "down", StringComparison.OrdinalIgnoreCase));
        }
        catch (DockerApiException)
        {
            return null;
        }
    }

    /// <summary>The last lines the launcher of <paramref name="serviceId"/> wrote, as a sentence suffix; empty when there are none.</summary>
    private async Task<string> LogTailAsync(string serviceId)
    {
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var logs = await client.Swarm.GetServiceLogsAsync(serviceId, false, new ServiceLogsParameters { ShowStderr = true, ShowStdout = true, Tail = "5" }, limit.Token).ConfigureAwait(false);
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(limit.Token).ConfigureAwait(false);
            var text = (stdout + stderr).Trim();
            return text.Length == 0 ? string.Empty : $" — the launcher said: {text.ReplaceLineEndings(" ")}";
        }
        catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or IOException or HttpRequestException)
        {
            return string.Empty;
        }
    }

    private async ValueTask RemoveServiceAsync(string session)
    {
        if (!services.TryRemove(session, out var serviceId))
        {
            return;
        }

        try
        {
            await client.Swarm.RemoveServiceAsync(serviceId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException)
        {
            // Gone already, or the manager is failing: labelled, so the guard, the run's end or the next run's sweep removes it.
        }
    }
}
