namespace ContainerTest.ContainerRuntime.Backends.Docker.AllowList;

using System.Net;
using ContainerTest.ContainerRuntime.Errors;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;
using NetworkAttachment = ContainerTest.ContainerRuntime.Backends.Docker.NetworkAttachment;

/// <summary>
/// A network for one job at a time: <em>internal</em> (the engine gives it no way out) and with
/// <c>inhibit_ipv4</c> (the host's end of its bridge has no IPv4 address, so the job cannot reach
/// the host either — an internal network alone still reaches every host port bound on 0.0.0.0).
/// Only the route's gateways and the job are on it: the job reaches nothing but the gateways'
/// allowed ports. Reused by later jobs of the same allow-list once its job container is gone.
/// </summary>
/// <param name="Id">The network's id.</param>
/// <param name="Name">The network's name (<c>containertest-allow-…</c>).</param>
/// <param name="Attachment">How a job container joins it: the network, /etc/hosts lines naming the gateways, DNS.</param>
internal sealed record JobNetwork(string Id, string Name, NetworkAttachment Attachment)
{
    /// <summary>The value of <see cref="ContainerLabels.Kind"/> on allow-list networks (the cluster launcher sweeps its node's by it).</summary>
    public const string KindLabelValue = "network";

    /// <summary>How the name of every allow-list network begins (the rest is random).</summary>
    public const string NamePrefix = "containertest-allow-";

    /// <summary>No IPv6 in a job on such a network, not even link-local (the host's end of the bridge has an fe80:: address).</summary>
    public static IReadOnlyDictionary<string, string> NoIpv6 { get; } = new Dictionary<string, string>
    {
        ["net.ipv6.conf.all.disable_ipv6"] = "1",
        ["net.ipv6.conf.default.disable_ipv6"] = "1",
    };

    /// <summary>The options an allow-list network is created with: internal, and no IPv4 address on the host's end of its bridge.</summary>
    public static IReadOnlyDictionary<string, string> BridgeOptions { get; } = new Dictionary<string, string> { ["com.docker.network.bridge.inhibit_ipv4"] = "true" };

    /// <summary>Creates the network (labelled with the run) and connects the gateways to it.</summary>
    /// <param name="client">The engine.</param>
    /// <param name="runId">The run the network is labelled with.</param>
    /// <param name="gateways">Each gateway with the host names the job reaches through it.</param>
    /// <param name="resources">Where the new network is recorded for disposal.</param>
    /// <param name="cancellationToken">Stops the creation (what was made is removed).</param>
    public static async Task<JobNetwork> CreateAsync(
        IDockerClient client,
        string runId,
        IReadOnlyList<(GatewayContainer Gateway, IReadOnlyList<string> Hosts)> gateways,
        CreatedResources resources,
        CancellationToken cancellationToken)
    {
        var name = NamePrefix + Guid.NewGuid().ToString("N")[..12];
        NetworksCreateResponse created;

        // Not cancelled by the caller midway: the engine may finish a create whose request was
        // abandoned, and a network nobody recorded would outlive the run. Cancellation is honoured
        // right after, when the network is known and removed.
        using (var timeout = new CancellationTokenSource(ResourceRemoval.Timeout))
        try
        {
            created = await client.Networks.CreateNetworkAsync(
                new NetworksCreateParameters
                {
                    Name = name,
                    Driver = "bridge",
                    Internal = true,
                    Options = BridgeOptions.ToDictionary(),
                    Labels = new Dictionary<string, string>
                    {
                        [ContainerLabels.Managed] = "true",
                        [ContainerLabels.RunId] = runId,
                        [ContainerLabels.Kind] = KindLabelValue,
                    },
                },
                timeout.Token).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode != HttpStatusCode.ServiceUnavailable)
        {
            var detail = DockerJobRun.ApiMessage(ex);
            if (detail.Contains("address pool", StringComparison.OrdinalIgnoreCase))
            {
                throw new AddressPoolsExhaustedException(
                    $"The Docker Engine has no address range left for another network ({detail}). Each job with an allow network policy that runs at the same time as another needs a network of its own: "
                    + "run fewer such jobs in parallel, remove networks you no longer need (`docker network ls`), or give the engine more address pools (default-address-pools in daemon.json).",
                    ex);
            }

            throw new ContainerRuntimeException($"The Docker Engine refused to create a network for the allow network policy: {detail}", RetryClass.Unknown, ex);
        }

        resources.AddNetwork(created.ID);
        var hosts = new List<string>();
        string? firstGateway = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var (gateway, names) in gateways)
            {
                var address = await gateway.ConnectAsync(name, cancellationToken).ConfigureAwait(false);
                firstGateway ??= address;
                hosts.AddRange(names.Select(host => host + ":" + address));
            }
        }
        catch
        {
            await RemoveAsync(client, created.ID, gateways.Select(g => g.Gateway.Id), resources).ConfigureAwait(false);
            throw;
        }

        var attachment = new NetworkAttachment(name, hosts)
        {
            // Name lookups go from the job's own network namespace to a gateway, which answers none
            // (allowed names are in /etc/hosts). Without this, engines before 26.0 forward a job's
            // queries through the host when its resolver is on loopback (127.0.0.53): a way out.
            Dns = [firstGateway!],
            Sysctls = NoIpv6,
        };
        return new JobNetwork(created.ID, name, attachment);
    }

    /// <summary>Disconnects the gateways from the network and removes it (best effort; leftovers keep their labels).</summary>
    public static async Task RemoveAsync(IDockerClient client, string networkId, IEnumerable<string> gatewayIds, CreatedResources resources)
    {
        foreach (var gateway in gatewayIds)
        {
            using var timeout = new CancellationTokenSource(ResourceRemoval.Timeout);
            try
            {
                await client.Networks.DisconnectNetworkAsync(networkId, new NetworkDisconnectParameters { Container = gateway, Force = true }, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
            {
                // not connected, or gone: the removal below says whether it matters
            }
        }

        await ResourceRemoval.RemoveNetworkAsync(client, networkId, resources).ConfigureAwait(false);
    }

    /// <summary>Whether only the gateways are left on the network (the job's container is gone), so the next job may have it.</summary>
    public async Task<bool> IsFreeAsync(IDockerClient client, IReadOnlySet<string> gatewayIds)
    {
        using var timeout = new CancellationTokenSource(ResourceRemoval.Timeout);
        try
        {
            var inspected = await client.Networks.InspectNetworkAsync(Id, timeout.Token).ConfigureAwait(false);
            return inspected.Containers is null || inspected.Containers.Keys.All(gatewayIds.Contains);
        }
        catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
        {
            return false;
        }
    }
}
