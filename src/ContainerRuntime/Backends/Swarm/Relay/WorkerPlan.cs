namespace ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

using System.Text;
using System.Text.Json.Nodes;

/// <summary>
/// What the launcher is to start (<see cref="RelayFrame.Plan"/>): the Engine API's create-container
/// request for the worker, made on the host exactly as for a worker on the host's own engine (the
/// same labels, limits, seccomp profile, user, mounts, network mode), on the image that already
/// holds every layer.
/// </summary>
/// <param name="CreateRequest">The body of <c>POST /containers/create</c>.</param>
/// <param name="AllowList">For the allow network policy (or shared services): the network and gateways to make on the node first.</param>
/// <param name="EngineSocketPaths">Where in the worker the node's own engine socket goes (Docker access), with its group for the worker's user; empty for none.</param>
internal sealed record WorkerPlan(JsonObject CreateRequest, NodeAllowList? AllowList = null, IReadOnlyList<string>? EngineSocketPaths = null)
{
    /// <summary>As UTF-8 JSON.</summary>
    public byte[] ToUtf8Json() => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["create"] = CreateRequest.DeepClone(),
        ["allowList"] = AllowList?.ToJson(),
        ["engineSocket"] = new JsonArray([.. (EngineSocketPaths ?? []).Select(p => (JsonNode?)JsonValue.Create(p))]),
    }.ToJsonString());

    /// <summary>Reads one written by <see cref="ToUtf8Json"/>.</summary>
    /// <exception cref="InvalidDataException">It is not a plan.</exception>
    public static WorkerPlan Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var json = JsonNode.Parse(utf8) as JsonObject ?? throw new InvalidDataException("A plan must be a JSON object.");
            return new WorkerPlan(
                json["create"] as JsonObject ?? throw new InvalidDataException("A plan has no create request."),
                json["allowList"] is JsonObject allowList ? NodeAllowList.FromJson(allowList) : null,
                [.. (json["engineSocket"] as JsonArray ?? []).Select(p => p?.GetValue<string>()).OfType<string>()]);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidDataException("A plan must be JSON.", ex);
        }
    }
}
