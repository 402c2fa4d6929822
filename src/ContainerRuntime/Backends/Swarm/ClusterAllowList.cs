namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using ContainerTest.ContainerRuntime.Backends.Docker.AllowList;
using ContainerTest.ContainerRuntime.Backends.Swarm.Relay;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// Plans the allow network policy for a worker on a cluster node: the same checks, canonical list
/// and split among gateways as on the host's own engine (<see cref="AllowListEntries"/>,
/// <see cref="GatewayPlan"/>), names resolved here on the test host as for a native run, and
/// <c>host.docker.internal</c> meaning the test host (as the nodes reach it), not the node. The
/// launcher makes the network and gateways on its node (ClusterLauncher's NodeGateways): each
/// worker has its own, made before it and removed after it.
/// </summary>
internal static class ClusterAllowList
{
    /// <summary>The plan for <paramref name="policy"/>, gateways running on <paramref name="image"/> with <paramref name="dotnetHost"/>.</summary>
    /// <exception cref="Errors.InvalidJobSpecException">The list names loopback, an IP address, or a host that does not resolve.</exception>
    public static async Task<NodeAllowList> PlanAsync(
        AllowListNetworkPolicy policy, string image, string dotnetHost, string testHostAddress, string runId, CancellationToken cancellationToken)
    {
        var gateways = new List<NodeGatewayPlan>();
        foreach (var group in GatewayPlan.Split(AllowListEntries.Canonical(policy)))
        {
            var rules = await ForwardTargets.ResolveAsync(group, cancellationToken, testHostAddress: testHostAddress).ConfigureAwait(false);
            var parameters = GatewayContainer.Parameters(
                image,
                [dotnetHost],
                [LauncherAssets.Gateway, GatewayProgram.UntilStdinClosesArgument, .. rules],
                SwarmBackend.Labels(runId, "network-gateway"));

            // Attached, its stdin held by the launcher: it ends, and goes, with the launcher.
            parameters.OpenStdin = true;
            parameters.StdinOnce = true;
            parameters.AttachStdin = true;
            parameters.AttachStdout = true;
            parameters.AttachStderr = true;
            parameters.HostConfig!.AutoRemove = true; // Parameters always makes one
            gateways.Add(new NodeGatewayPlan(WorkerCreateRequest.ToJson(parameters), [.. group.Select(e => e.Host).Distinct(StringComparer.Ordinal)]));
        }

        var network = new global::Docker.DotNet.Models.NetworksCreateParameters
        {
            Name = JobNetwork.NamePrefix + Guid.NewGuid().ToString("N")[..12],
            Driver = "bridge",
            Internal = true,
            Options = JobNetwork.BridgeOptions.ToDictionary(),
            Labels = SwarmBackend.Labels(runId, "network"),
        };
        return new NodeAllowList(WorkerCreateRequest.ToJson(network), gateways);
    }
}
