namespace ContainerTest.TestAdapter.Execution;

using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// The network policy of a run with shared services: the configured one, widened just enough that
/// every test reaches the services by name — <c>none</c> and <c>loopback</c> become an allow-list
/// of the services' endpoints, an allow-list gains them, and <c>open</c> reaches them already.
/// </summary>
internal static class ServiceNetwork
{
    /// <summary><paramref name="policy"/> with <paramref name="services"/> let through.</summary>
    public static NetworkPolicy With(NetworkPolicy policy, IReadOnlyList<NetworkEndpoint> services) =>
        services.Count == 0 ? policy : policy switch
        {
            OpenNetworkPolicy => policy,
            AllowListNetworkPolicy allow => NetworkPolicy.Allow([.. allow.Endpoints, .. services.Where(s => !allow.Endpoints.Contains(s))]),
            _ => NetworkPolicy.Allow([.. services]),
        };
}
