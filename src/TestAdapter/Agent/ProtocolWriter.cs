namespace ContainerTest.Agent;

using System.Text.Json.Nodes;
using ContainerTest.Protocol;

/// <summary>Writes whole protocol lines to the agent's real stdout, one at a time, flushed at once.</summary>
internal sealed class ProtocolWriter(Stream stdout)
{
    private readonly object gate = new();
    private readonly bool text = AgentTextOutput.Requested;

    public string Nonce { get; set; } = string.Empty;

    public void Write(JsonObject message)
    {
        var line = text ? System.Text.Encoding.UTF8.GetBytes(AgentTextOutput.Format(message) ?? string.Empty) : ProtocolLine.Format(Nonce, message);
        lock (gate)
        {
            stdout.Write(line);
            stdout.Flush();
        }
    }
}
