namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using ContainerTest.ContainerRuntime.Backends.Docker.AllowList;
using ContainerTest.ContainerRuntime.Backends.Swarm.Relay;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// Plans the gateways of a worker on a cluster node. For the allow network policy: the same checks, canonical list
/// and split among gateways as on the host's own engine (<see cref="AllowListEntries"/>,
/// <see cref="GatewayPlan"/>), names resolved here on the test host as for a native run, and
/// <c>host.docker.internal</c> meaning the test host (as the nodes reach it), not the node. The
/// launcher makes the network and gateways on its node (ClusterLauncher's NodeGateways): each
/// worker has its own, made before it and removed after it. A shared service named in the list is
/// forwarded to where the manager's engine published it. For the open policy with shared
/// services: gateways for the services' ports alone, the worker staying on the node's bridge, so
/// that it reaches each service by name as on one machine.
/// </summary>
internal static class ClusterAllowList
{
    /// <summary>The plan for a worker with <paramref name="policy"/>, gateways running on <paramref name="image"/> with <paramref name="dotnetHost"/>; null when it needs none.</summary>
    /// <exception cref="Errors.InvalidJobSpecException">The list names loopback, an IP address, a host that does not resolve, or a service's port it does not list.</exception>
    public static async Task<NodeAllowList?> PlanAsync(
        NetworkPolicy policy, Docker.Services.ServiceAddresses services, string image, string dotnetHost, string testHostAddress, string runId, CancellationToken cancellationToken)
    {
        var (endpoints, ownNetwork) = policy switch
        {
            AllowListNetworkPolicy allow => (AllowListEntries.Canonical(allow), true),
            OpenNetworkPolicy when services.PublishedEndpoints.Count > 0 => (services.PublishedEndpoints, false),
            _ => ((IReadOnlyList<NetworkEndpoint>)[], false),
        };
        if (endpoints.Count == 0)
        {
            return null;
        }

        var gateways = new List<NodeGatewayPlan>();
        foreach (var group in GatewayPlan.Split(endpoints))
        {
            var rules = await ForwardTargets.ResolveAsync(group, cancellationToken, services, testHostAddress).ConfigureAwait(false);
            var parameters = GatewayContainer.Parameters(
                image,
                [dotnetHost],
                [LauncherAssets.Gateway, GatewayProgram.UntilStdinClosesArgument, .. rules],
                SwarmBackend.Labels(runId, GatewayContainer.KindLabelValue));

            // Attached, its stdin held by the launcher: it ends, and goes, with the launcher.
            parameters.OpenStdin = true;
            parameters.StdinOnce = true;
            parameters.AttachStdin = true;
            parameters.AttachStdout = true;
            parameters.AttachStderr = true;
            parameters.HostConfig!.AutoRemove = true; // Parameters always makes one
            gateways.Add(new NodeGatewayPlan(WorkerCreateRequest.ToJson(parameters), [.. group.Select(e => e.Host).Distinct(StringComparer.Ordinal)]));
        }

        if (!ownNetwork)
        {
            return new NodeAllowList(null, gateways);
        }

        var network = new global::Docker.DotNet.Models.NetworksCreateParameters
        {
            Name = JobNetwork.NamePrefix + Guid.NewGuid().ToString("N")[..12],
            Driver = "bridge",
            Internal = true,
            Options = JobNetwork.BridgeOptions.ToDictionary(),
            Labels = SwarmBackend.Labels(runId, JobNetwork.KindLabelValue),
        };
        return new NodeAllowList(WorkerCreateRequest.ToJson(network), gateways);
    }
}
