namespace ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;

using System.Text;
using System.Text.Json.Nodes;

/// <summary>
/// What the host asks of a worker's supervisor, one JSON object per line on the worker's stdin:
/// <c>configure</c> (once, first: the <see cref="SandboxSpec"/>), <c>warm</c> (make the sandbox of
/// job <see cref="Job"/> and start its command, which waits for input), <c>run</c> (hand that job
/// its input: its time starts now), <c>kill</c> (end it now). The end of stdin means the host is
/// gone: the supervisor kills its sandbox and exits.
/// </summary>
internal sealed record WorkerRequest
{
    /// <summary>The <c>configure</c> operation.</summary>
    public const string Configure = "configure";

    /// <summary>The <c>warm</c> operation.</summary>
    public const string Warm = "warm";

    /// <summary>The <c>run</c> operation.</summary>
    public const string Run = "run";

    /// <summary>The <c>kill</c> operation.</summary>
    public const string Kill = "kill";

    /// <summary>One of the operations above.</summary>
    public required string Operation { get; init; }

    /// <summary>The job (also the sandbox's host name); null for <c>configure</c>.</summary>
    public string? Job { get; init; }

    /// <summary>For <c>run</c>: the bytes written to the job's stdin (which then stays open).</summary>
    public ReadOnlyMemory<byte> Input { get; init; }

    /// <summary>For <c>configure</c>: the sandbox spec.</summary>
    public SandboxSpec? Spec { get; init; }

    /// <summary>The request as one line of UTF-8 JSON, newline included.</summary>
    public byte[] ToLine()
    {
        var json = new JsonObject { ["op"] = Operation };
        if (Job is not null)
        {
            json["job"] = Job;
        }

        if (!Input.IsEmpty)
        {
            json["input"] = Convert.ToBase64String(Input.Span);
        }

        if (Spec is not null)
        {
            json["spec"] = Spec.ToJson();
        }

        return Encoding.UTF8.GetBytes(json.ToJsonString() + "\n");
    }

    /// <summary>Reads one line written by <see cref="ToLine"/>.</summary>
    /// <exception cref="InvalidDataException">The line is not a request.</exception>
    public static WorkerRequest Parse(string line)
    {
        var json = JsonNode.Parse(line) as JsonObject ?? throw new InvalidDataException("A worker request must be a JSON object.");
        return new WorkerRequest
        {
            Operation = json["op"]?.GetValue<string>() ?? throw new InvalidDataException("A worker request names no operation."),
            Job = json["job"]?.GetValue<string>(),
            Input = json["input"]?.GetValue<string>() is { } input ? Convert.FromBase64String(input) : ReadOnlyMemory<byte>.Empty,
            Spec = json["spec"] is JsonObject spec ? SandboxSpec.FromJson(spec) : null,
        };
    }
}
