namespace ContainerTest.ContainerRuntime.Backends.Docker.AllowList;

using System.Net;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// Checks an allow-list against what the Docker backend can route, and puts it in a canonical
/// form (host names lower-cased, duplicates dropped, sorted) so that equal lists share one route.
/// </summary>
/// <remarks>
/// The job reaches an allowed endpoint by its <em>name</em>: the name is mapped in the job's
/// /etc/hosts to a gateway that forwards the port. An IP address cannot be mapped that way (the
/// job would connect to the address itself, and its network has no route there), and a loopback
/// name or address means the job's own container, not the host. Both are refused with a message
/// that says what to write instead.
/// </remarks>
internal static class AllowListEntries
{
    /// <summary>The name under which a job reaches the machine that runs the engine.</summary>
    public const string HostGatewayName = "host.docker.internal";

    /// <summary>Validates <paramref name="policy"/> and returns its endpoints in canonical order.</summary>
    /// <exception cref="InvalidJobSpecException">An entry is empty, a loopback name or address, an IP address, or not a valid host name.</exception>
    public static IReadOnlyList<NetworkEndpoint> Canonical(AllowListNetworkPolicy policy)
    {
        if (policy.Endpoints.Count == 0)
        {
            throw new InvalidJobSpecException("The allow network policy lists no endpoint. List at least one host:port (for a service on this machine: host.docker.internal:PORT), or use the none policy.");
        }

        var endpoints = new SortedSet<NetworkEndpoint>(Comparer<NetworkEndpoint>.Create(Compare));
        foreach (var endpoint in policy.Endpoints)
        {
            endpoints.Add(Check(endpoint));
        }

        return endpoints.ToArray();
    }

    /// <summary>A key equal for equal lists, whatever their order and the case of their names.</summary>
    public static string Key(IReadOnlyList<NetworkEndpoint> canonical) => string.Join(',', canonical);

    private static NetworkEndpoint Check(NetworkEndpoint endpoint)
    {
        var host = endpoint.Host.Trim().TrimEnd('.').ToLowerInvariant();
        if (endpoint.Port is < 1 or > 65535)
        {
            throw new InvalidJobSpecException($"The allowed endpoint '{endpoint}' has no valid port (1-65535).");
        }

        if (host is "localhost" or "localhost.localdomain" or "ip6-localhost" or "ip6-loopback" || host.EndsWith(".localhost", StringComparison.Ordinal)
            || (IPAddress.TryParse(host, out var loopback) && IPAddress.IsLoopback(loopback)))
        {
            throw new InvalidJobSpecException(
                $"The allowed endpoint '{endpoint}' is a loopback address: inside the job's container it means the container itself, not this machine. "
                + $"To reach a service on this machine, allow {HostGatewayName}:{endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}, connect to that name from the test, "
                + "and make the service listen on an address the Docker bridge reaches (0.0.0.0, or the bridge's own address such as 172.17.0.1), not only on 127.0.0.1.");
        }

        if (IPAddress.TryParse(host, out _))
        {
            throw new InvalidJobSpecException(
                $"The allowed endpoint '{endpoint}' is an IP address; the docker backend can only allow endpoints by host name (the job's /etc/hosts maps each allowed name to the gateway that forwards it, "
                + $"and a connection to a bare address would bypass it). Use the service's host name; for a service on this machine use {HostGatewayName}.");
        }

        if (Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            throw new InvalidJobSpecException($"The allowed endpoint '{endpoint}' does not name a valid host (letters, digits, '-' and '.').");
        }

        return new NetworkEndpoint(host, endpoint.Port);
    }

    private static int Compare(NetworkEndpoint? x, NetworkEndpoint? y)
    {
        var byHost = string.CompareOrdinal(x!.Host, y!.Host);
        return byHost != 0 ? byHost : x.Port.CompareTo(y.Port);
    }
}
