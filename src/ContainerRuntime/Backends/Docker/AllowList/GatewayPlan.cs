namespace ContainerTest.ContainerRuntime.Backends.Docker.AllowList;

using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// Splits an allow-list among gateway containers. A job reaches every port of one host name at
/// one gateway address, and a gateway listens on each allowed port once; so two names allowed on
/// the same port (db-a:5432 and db-b:5432) need two gateways. Names are packed greedily: usually
/// the whole list fits one gateway.
/// </summary>
internal static class GatewayPlan
{
    /// <summary>Groups the endpoints so that no two host names in one group share a port.</summary>
    public static IReadOnlyList<IReadOnlyList<NetworkEndpoint>> Split(IReadOnlyList<NetworkEndpoint> canonical)
    {
        var groups = new List<(HashSet<int> Ports, List<NetworkEndpoint> Endpoints)>();
        foreach (var byHost in canonical.GroupBy(e => e.Host, StringComparer.Ordinal))
        {
            var ports = byHost.Select(e => e.Port).ToHashSet();
            var group = groups.FirstOrDefault(g => !g.Ports.Overlaps(ports));
            if (group.Ports is null)
            {
                group = (new HashSet<int>(), new List<NetworkEndpoint>());
                groups.Add(group);
            }

            group.Ports.UnionWith(ports);
            group.Endpoints.AddRange(byHost);
        }

        return groups.Select(g => (IReadOnlyList<NetworkEndpoint>)g.Endpoints).ToArray();
    }
}
