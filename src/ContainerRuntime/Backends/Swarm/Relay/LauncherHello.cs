namespace ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

using System.Text;
using System.Text.Json.Nodes;

/// <summary>
/// The launcher's first frame (<see cref="RelayFrame.Hello"/>): which session it is, the run's
/// secret that proves it was started by this run, and the node Swarm placed it on.
/// </summary>
/// <param name="Session">The worker's job id, as the host named it in the service.</param>
/// <param name="Token">The run's secret, read from the Swarm secret the service mounts.</param>
/// <param name="Node">The node's host name.</param>
internal sealed record LauncherHello(string Session, string Token, string Node)
{
    /// <summary>As UTF-8 JSON.</summary>
    public byte[] ToUtf8Json() => Encoding.UTF8.GetBytes(new JsonObject { ["session"] = Session, ["token"] = Token, ["node"] = Node }.ToJsonString());

    /// <summary>Reads one written by <see cref="ToUtf8Json"/>.</summary>
    /// <exception cref="InvalidDataException">It is not a hello.</exception>
    public static LauncherHello Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var json = JsonNode.Parse(utf8) as JsonObject ?? throw new InvalidDataException("A hello must be a JSON object.");
            return new LauncherHello(
                json["session"]?.GetValue<string>() ?? throw new InvalidDataException("A hello names no session."),
                json["token"]?.GetValue<string>() ?? throw new InvalidDataException("A hello carries no token."),
                json["node"]?.GetValue<string>() ?? "?");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidDataException("A hello must be JSON.", ex);
        }
    }
}
