namespace ContainerTest.ContainerRuntime.Backends.Docker.AllowList;

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// Turns allowed endpoints into the gateway's forwarding rules (<c>PORT=ADDRESS:PORT,…</c>).
/// Names are resolved here, on the machine that runs the tests, so they mean what they mean
/// to a native run of the same tests (its /etc/hosts, its DNS, its VPN) rather than whatever the
/// engine's default bridge would resolve. <see cref="AllowListEntries.HostGatewayName"/> is the
/// exception: it is resolved inside the gateway, which the engine gives the host's address.
/// </summary>
/// <remarks>Names are resolved once, when the gateway starts; a later change of address is not followed.</remarks>
internal static class ForwardTargets
{
    /// <summary>One gateway argument per endpoint.</summary>
    /// <param name="endpoints">The allowed endpoints.</param>
    /// <param name="cancellationToken">Stops the resolution.</param>
    /// <param name="services">The run's shared services: a name that is one is forwarded to its address on the engine's bridge, not looked up.</param>
    /// <param name="testHostAddress">
    /// Where <see cref="AllowListEntries.HostGatewayName"/> goes when the gateway does not run on
    /// the test host's own engine (a cluster node): the test host's address as the nodes reach it;
    /// a shared service then goes where the manager's engine published it. Null: resolved inside
    /// the gateway, to the engine's host; a service goes to its bridge address.
    /// </param>
    public static async Task<IReadOnlyList<string>> ResolveAsync(
        IReadOnlyList<NetworkEndpoint> endpoints, CancellationToken cancellationToken, Services.ServiceAddresses? services = null, string? testHostAddress = null)
    {
        var rules = new List<string>();
        foreach (var byHost in endpoints.GroupBy(e => e.Host, StringComparer.Ordinal))
        {
            // On a cluster node a service is where the manager's engine published it.
            if (testHostAddress is not null && services is not null && services.TryGet(byHost.Key, out _))
            {
                foreach (var endpoint in byHost)
                {
                    var port = endpoint.Port.ToString(CultureInfo.InvariantCulture);
                    rules.Add(services.TryGetPublished(byHost.Key, endpoint.Port, out var published, out var publishedPort)
                        ? port + "=" + published + ":" + publishedPort.ToString(CultureInfo.InvariantCulture)
                        : throw new InvalidJobSpecException($"The allowed endpoint '{endpoint}' names the shared service '{byHost.Key}' on a port it does not list in its Ports: only listed ports are published for a cluster's workers. Add the port to the service's Ports."));
                }

                continue;
            }

            var addresses = byHost.Key == AllowListEntries.HostGatewayName ? [testHostAddress ?? byHost.Key]
                : services is not null && services.TryGet(byHost.Key, out var service) ? [service]
                : await ResolveHostAsync(byHost.Key, cancellationToken).ConfigureAwait(false);
            foreach (var endpoint in byHost)
            {
                var port = endpoint.Port.ToString(CultureInfo.InvariantCulture);
                rules.Add(port + "=" + string.Join(',', addresses.Select(a => (a.Contains(':', StringComparison.Ordinal) ? "[" + a + "]" : a) + ":" + port)));
            }
        }

        return rules;
    }

    private static async Task<string[]> ResolveHostAsync(string host, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
        {
            throw new InvalidJobSpecException($"The allowed host '{host}' does not resolve on this machine ({ex.Message.TrimEnd('.')}). Check the name, or add it to /etc/hosts.");
        }
        catch (SocketException ex)
        {
            throw new ContainerRuntimeException($"Could not resolve the allowed host '{host}' on this machine: {ex.Message.TrimEnd('.')}. Check the machine's DNS and run again.", RetryClass.Retryable, ex);
        }

        // IPv4 first: the engine's default bridge, through which the gateway reaches out, rarely has IPv6.
        var usable = addresses.Where(a => !IPAddress.IsLoopback(a))
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)
            .Select(a => (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).ToString())
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (usable.Length == 0)
        {
            throw new InvalidJobSpecException(
                $"The allowed host '{host}' resolves on this machine only to loopback addresses ({string.Join(", ", addresses.Select(a => a.ToString()))}), which no container can reach. "
                + $"For a service on this machine, allow {AllowListEntries.HostGatewayName}:PORT instead and make the service listen on 0.0.0.0 or the Docker bridge's address.");
        }

        return usable;
    }
}
