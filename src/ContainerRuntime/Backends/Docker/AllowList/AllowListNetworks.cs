namespace ContainerTest.ContainerRuntime.Backends.Docker.AllowList;

using System.Collections.Concurrent;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Network;
using global::Docker.DotNet;

/// <summary>
/// The Docker backend's <see cref="NetworkPolicy.Allow"/>: a job may reach the listed TCP
/// endpoints and nothing else.
/// </summary>
/// <remarks>
/// <para>The job's container is on a network of its own that reaches neither the host nor the
/// outside (see <see cref="JobNetwork"/>). The only other members are gateway containers, which
/// are also on the engine's default bridge and forward each allowed port to its real target
/// (<see cref="GatewayContainer"/>); the job's /etc/hosts maps each allowed name to its gateway.
/// So <c>db.example:5432</c> works from the job, any other port or address does not.</para>
/// <para>The gateways of an allow-list are started on its first use and serve every job with the
/// same list; job networks are pooled, one job at a time on each (<see cref="AllowListRoute"/>).
/// All are labelled with the run (kinds <c>network-gateway</c> and <c>network</c>) and removed
/// when the backend is disposed.</para>
/// </remarks>
internal sealed class AllowListNetworks : IAsyncDisposable
{
    private readonly IDockerClient client;
    private readonly string runId;
    private readonly Func<CancellationToken, Task<string>> gatewayImage;
    private readonly Services.ServiceAddresses? services;
    private readonly CreatedResources resources = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<AllowListRoute>>> routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> leasing = new();
    private readonly CancellationTokenSource lifetime = new();
    private int disposed;

    /// <param name="client">The engine.</param>
    /// <param name="runId">The run every gateway and network is labelled with.</param>
    /// <param name="gatewayImage">Gives the image the gateways run from (an image with `dotnet` on its PATH), making it present first.</param>
    /// <param name="services">The run's shared services: an allowed name that is one is forwarded to its address.</param>
    public AllowListNetworks(IDockerClient client, string runId, Func<CancellationToken, Task<string>> gatewayImage, Services.ServiceAddresses? services = null)
    {
        this.client = client;
        this.runId = runId;
        this.gatewayImage = gatewayImage;
        this.services = services;
    }

    /// <summary>
    /// Whether the policy can work with this engine: a Linux engine on a local socket (the
    /// gateways reach "this machine" through the engine's host, and names are resolved here),
    /// and a gateway image — the host image needs a Linux host, or one is configured.
    /// </summary>
    public static bool IsSupported(Uri endpoint, string engineOs, DockerBackendOptions options) =>
        endpoint.Scheme == "unix"
        && string.Equals(engineOs, "linux", StringComparison.OrdinalIgnoreCase)
        && (options.GatewayImage is not null || OperatingSystem.IsLinux());

    /// <summary>A network for one job with <paramref name="policy"/>; dispose the lease once the job's container is removed.</summary>
    /// <exception cref="InvalidJobSpecException">The list names loopback, an IP address, or a host that does not resolve.</exception>
    /// <exception cref="ContainerRuntimeException">The gateways or the network could not be made.</exception>
    public async Task<NetworkLease> LeaseAsync(AllowListNetworkPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var endpoints = AllowListEntries.Canonical(policy);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var route = await RouteAsync(endpoints, cancellationToken).ConfigureAwait(false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.Token);
        var leasing = route.LeaseAsync(EvictIdleNetworksAsync, linked.Token);
        this.leasing.TryAdd(leasing, 0);
        try
        {
            return await leasing.ConfigureAwait(false);
        }
        finally
        {
            this.leasing.TryRemove(leasing, out _);
        }
    }

    /// <summary>Removes every gateway and network made for this backend (job containers must be gone first).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // Stop what is being made, and let it finish (or fail), so that nothing is created after the sweep.
        await lifetime.CancelAsync().ConfigureAwait(false);
        var pending = routes.Values.Where(r => r.IsValueCreated).Select(r => (Task)r.Value).Concat(leasing.Keys).ToArray();
        try
        {
            await Task.WhenAll(pending).WaitAsync(ResourceRemoval.Timeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Failures were reported to the jobs that waited for them; what was created is tracked.
        }

        await Task.WhenAll(resources.Containers().Select(id => ResourceRemoval.RemoveContainerAsync(client, id, resources))).ConfigureAwait(false);
        await Task.WhenAll(resources.Networks().Select(id => ResourceRemoval.RemoveNetworkAsync(client, id, resources))).ConfigureAwait(false);
        await RemoveUnrecordedNetworksAsync().ConfigureAwait(false);
        lifetime.Dispose();
    }

    /// <summary>
    /// A create the engine finished after its request was given up on (the run stopping) leaves a
    /// network nobody recorded: those of this run (its labels, the allow-list name) go too.
    /// </summary>
    private async Task RemoveUnrecordedNetworksAsync()
    {
        using var timeout = new CancellationTokenSource(ResourceRemoval.Timeout);
        try
        {
            var networks = await client.Networks.ListNetworksAsync(
                new global::Docker.DotNet.Models.NetworksListParameters
                {
                    Filters = new Dictionary<string, IDictionary<string, bool>>
                    {
                        ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.RunId}={runId}"] = true, [$"{ContainerLabels.Kind}=network"] = true },
                    },
                },
                timeout.Token).ConfigureAwait(false);
            var unrecorded = networks.Where(n => n.Name.StartsWith(JobNetwork.NamePrefix, StringComparison.Ordinal));
            await Task.WhenAll(unrecorded.Select(n => ResourceRemoval.RemoveNetworkAsync(client, n.ID, resources))).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
        {
            // Best effort: what is left keeps its labels for the reaper and `dotnet containertest clean`.
        }
    }

    private async Task<int> EvictIdleNetworksAsync()
    {
        var started = routes.Values.Where(r => r.IsValueCreated && r.Value.IsCompletedSuccessfully).Select(r => r.Value.Result);
        var evicted = await Task.WhenAll(started.Select(route => route.EvictIdleAsync())).ConfigureAwait(false);
        return evicted.Sum();
    }

    private async Task<AllowListRoute> RouteAsync(IReadOnlyList<NetworkEndpoint> endpoints, CancellationToken cancellationToken)
    {
        var key = AllowListEntries.Key(endpoints);

        // Started once per list, on the backend's lifetime: a job that gives up waiting does not stop it for the others.
        var route = routes.GetOrAdd(key, _ => new Lazy<Task<AllowListRoute>>(() => AllowListRoute.StartAsync(client, runId, endpoints, gatewayImage, resources, lifetime.Token, services)));
        try
        {
            return await route.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (route.Value.IsFaulted || route.Value.IsCanceled)
        {
            // A mistake in the list stays a mistake: keep that answer for every job with it.
            // Anything else may pass: the next job tries afresh.
            if (ex is not ContainerRuntimeException { Retry: RetryClass.NotRetryable })
            {
                routes.TryRemove(new KeyValuePair<string, Lazy<Task<AllowListRoute>>>(key, route));
            }

            throw;
        }
    }
}
