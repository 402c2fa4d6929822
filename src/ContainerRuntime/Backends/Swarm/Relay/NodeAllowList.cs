namespace ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

using System.Text.Json.Nodes;

/// <summary>
/// The allow network policy of a worker on a cluster node, as the launcher builds it on its own
/// node's engine, the way the Docker backend builds it on the host's: an internal network of the
/// worker's own (named by the host; no way out, no IPv4 on the bridge's host end), and gateway
/// containers on the node's default bridge, connected to that network, each forwarding some
/// allowed ports to targets the host resolved. The worker's /etc/hosts maps each allowed name to
/// its gateway there; nothing else answers. With the open policy and shared services, there is no
/// network of the worker's own: it stays on the node's default bridge, and the gateways (there
/// too) only make the services reachable by name, forwarding to where the manager published them.
/// </summary>
/// <param name="NetworkRequest">The body of <c>POST /networks/create</c> for the worker's network (its name, options and the run's labels); null for none (the open policy).</param>
/// <param name="Gateways">Each gateway's create request and the host names the worker reaches through it.</param>
internal sealed record NodeAllowList(JsonObject? NetworkRequest, IReadOnlyList<NodeGatewayPlan> Gateways)
{
    /// <summary>The network's name (<c>containertest-allow-…</c>); null when the worker stays on the default bridge.</summary>
    public string? Network => NetworkRequest?["Name"]?.GetValue<string>();

    /// <summary>As JSON.</summary>
    public JsonObject ToJson() => new()
    {
        ["network"] = NetworkRequest?.DeepClone(),
        ["gateways"] = new JsonArray([.. Gateways.Select(g => (JsonNode?)new JsonObject
        {
            ["create"] = g.CreateRequest.DeepClone(),
            ["hosts"] = new JsonArray([.. g.Hosts.Select(h => (JsonNode?)JsonValue.Create(h))]),
        })]),
    };

    /// <summary>Reads one written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">It is not one.</exception>
    public static NodeAllowList FromJson(JsonObject json)
    {
        var network = json["network"] switch
        {
            null => null,
            JsonObject request when request["Name"] is not null => request,
            _ => throw new InvalidDataException("An allow-list plan's network request has no name."),
        };
        var gateways = (json["gateways"] as JsonArray ?? []).OfType<JsonObject>().Select(g => new NodeGatewayPlan(
            g["create"] as JsonObject ?? throw new InvalidDataException("An allow-list gateway has no create request."),
            [.. (g["hosts"] as JsonArray ?? []).Select(h => h?.GetValue<string>()).OfType<string>()])).ToList();
        return gateways.Count == 0 ? throw new InvalidDataException("An allow-list plan has no gateway.") : new NodeAllowList(network, gateways);
    }
}
