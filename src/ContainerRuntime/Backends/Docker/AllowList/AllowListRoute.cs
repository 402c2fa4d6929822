namespace ContainerTest.ContainerRuntime.Backends.Docker.AllowList;

using System.Collections.Concurrent;
using ContainerTest.ContainerRuntime.Network;
using global::Docker.DotNet;

/// <summary>
/// Everything one distinct allow-list needs, made once per backend and shared by all its jobs:
/// the gateways that forward the allowed endpoints, and a pool of job networks — each job gets a
/// network to itself (so jobs running side by side cannot reach each other), and a network goes
/// back to the pool when its job's container is gone.
/// </summary>
internal sealed class AllowListRoute
{
    private readonly IDockerClient client;
    private readonly string runId;
    private readonly CreatedResources resources;
    private readonly IReadOnlyList<(GatewayContainer Gateway, IReadOnlyList<string> Hosts)> gateways;
    private readonly HashSet<string> gatewayIds;
    private readonly ConcurrentBag<JobNetwork> idle = [];

    private AllowListRoute(IDockerClient client, string runId, CreatedResources resources, IReadOnlyList<(GatewayContainer Gateway, IReadOnlyList<string> Hosts)> gateways)
    {
        this.client = client;
        this.runId = runId;
        this.resources = resources;
        this.gateways = gateways;
        gatewayIds = gateways.Select(g => g.Gateway.Id).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Resolves the endpoints, then starts the gateways (in parallel) from the image <paramref name="gatewayImage"/> gives.</summary>
    public static async Task<AllowListRoute> StartAsync(
        IDockerClient client,
        string runId,
        IReadOnlyList<NetworkEndpoint> canonical,
        Func<CancellationToken, Task<string>> gatewayImage,
        CreatedResources resources,
        CancellationToken cancellationToken,
        Services.ServiceAddresses? services = null)
    {
        var groups = GatewayPlan.Split(canonical);
        var rules = new List<IReadOnlyList<string>>();
        foreach (var group in groups)
        {
            // Resolution problems are the user's to fix: report them before starting anything.
            rules.Add(await ForwardTargets.ResolveAsync(group, cancellationToken, services).ConfigureAwait(false));
        }

        var image = await gatewayImage(cancellationToken).ConfigureAwait(false);
        var starting = rules.Select(r => GatewayContainer.StartAsync(client, image, runId, r, resources, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(starting).ConfigureAwait(false);
        }
        catch
        {
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await ResourceRemoval.RemoveContainerAsync(client, started.Result.Id, resources).ConfigureAwait(false);
            }

            throw;
        }

        var gateways = starting.Select((t, i) => (t.Result, (IReadOnlyList<string>)groups[i].Select(e => e.Host).Distinct(StringComparer.Ordinal).ToArray())).ToArray();
        return new AllowListRoute(client, runId, resources, gateways);
    }

    /// <summary>A network for one job: an idle one of the pool, or a new one.</summary>
    /// <param name="evictIdle">Removes the idle networks of every route, to make room when the engine has no address range left; returns how many.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    public async Task<NetworkLease> LeaseAsync(Func<Task<int>> evictIdle, CancellationToken cancellationToken)
    {
        if (!idle.TryTake(out var network))
        {
            try
            {
                network = await JobNetwork.CreateAsync(client, runId, gateways, resources, cancellationToken).ConfigureAwait(false);
            }
            catch (AddressPoolsExhaustedException)
            {
                if (await evictIdle().ConfigureAwait(false) == 0)
                {
                    throw;
                }

                network = await JobNetwork.CreateAsync(client, runId, gateways, resources, cancellationToken).ConfigureAwait(false);
            }
        }

        return new NetworkLease(network.Attachment, () => ReturnAsync(network));
    }

    /// <summary>Removes the networks no job is using; returns how many.</summary>
    public async Task<int> EvictIdleAsync()
    {
        var evicted = 0;
        while (idle.TryTake(out var network))
        {
            await JobNetwork.RemoveAsync(client, network.Id, gatewayIds, resources).ConfigureAwait(false);
            evicted++;
        }

        return evicted;
    }

    private async ValueTask ReturnAsync(JobNetwork network)
    {
        // A job container still on the network (its removal failed) must never meet the next job:
        // such a network leaves the pool and is removed with the backend.
        if (await network.IsFreeAsync(client, gatewayIds).ConfigureAwait(false))
        {
            idle.Add(network);
        }
    }
}
