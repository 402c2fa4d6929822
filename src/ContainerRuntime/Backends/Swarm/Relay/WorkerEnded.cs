namespace ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

using System.Text;
using System.Text.Json.Nodes;

/// <summary>
/// How the worker ended (<see cref="RelayFrame.Ended"/>), one of three: its process exited
/// (<see cref="ExitCode"/>); the node's engine refused to create or start it
/// (<see cref="FailedToStart"/>, the engine's words); or the launcher was stopped under it — its
/// node drained, its service removed — and killed it (<see cref="Stopped"/>, why).
/// </summary>
internal sealed record WorkerEnded
{
    /// <summary>The worker's exit status.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Why the node's engine would not run it.</summary>
    public string? FailedToStart { get; init; }

    /// <summary>Why the launcher stopped it.</summary>
    public string? Stopped { get; init; }

    /// <summary>As UTF-8 JSON.</summary>
    public byte[] ToUtf8Json()
    {
        var json = new JsonObject();
        if (ExitCode is { } code)
        {
            json["exitCode"] = code;
        }

        if (FailedToStart is not null)
        {
            json["failedToStart"] = FailedToStart;
        }

        if (Stopped is not null)
        {
            json["stopped"] = Stopped;
        }

        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    /// <summary>Reads one written by <see cref="ToUtf8Json"/>.</summary>
    /// <exception cref="InvalidDataException">It is not one.</exception>
    public static WorkerEnded Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var json = JsonNode.Parse(utf8) as JsonObject ?? throw new InvalidDataException("An ended frame must be a JSON object.");
            return new WorkerEnded
            {
                ExitCode = json["exitCode"]?.GetValue<int>(),
                FailedToStart = json["failedToStart"]?.GetValue<string>(),
                Stopped = json["stopped"]?.GetValue<string>(),
            };
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidDataException("An ended frame must be JSON.", ex);
        }
    }
}
