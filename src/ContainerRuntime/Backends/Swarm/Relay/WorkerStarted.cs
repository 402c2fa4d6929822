namespace ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

using System.Text;
using System.Text.Json.Nodes;

/// <summary>The worker container runs (<see cref="RelayFrame.Started"/>): its id on the node's engine, and the node.</summary>
/// <param name="ContainerId">The worker container's id.</param>
/// <param name="Node">The node's host name.</param>
internal sealed record WorkerStarted(string ContainerId, string Node)
{
    /// <summary>As UTF-8 JSON.</summary>
    public byte[] ToUtf8Json() => Encoding.UTF8.GetBytes(new JsonObject { ["container"] = ContainerId, ["node"] = Node }.ToJsonString());

    /// <summary>Reads one written by <see cref="ToUtf8Json"/>.</summary>
    /// <exception cref="InvalidDataException">It is not one.</exception>
    public static WorkerStarted Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var json = JsonNode.Parse(utf8) as JsonObject ?? throw new InvalidDataException("A started frame must be a JSON object.");
            return new WorkerStarted(json["container"]?.GetValue<string>() ?? "?", json["node"]?.GetValue<string>() ?? "?");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidDataException("A started frame must be JSON.", ex);
        }
    }
}
