namespace ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;

using System.Text;
using System.Text.Json.Nodes;

/// <summary>
/// What a worker's supervisor reports, as the JSON payload of a <see cref="WorkerFrame.Event"/> frame:
/// <c>configured</c> (the spec was taken and a trial sandbox ran), <c>refused</c> (no sandbox can be
/// made here: <see cref="Message"/> says why), <c>ready</c> (job <see cref="Job"/>'s sandbox exists
/// and its command runs), <c>exited</c> (it ended: <see cref="ExitCode"/>, <see cref="OutOfMemory"/>,
/// or <see cref="Message"/> when the sandbox itself could not be made).
/// </summary>
internal sealed record WorkerEvent
{
    /// <summary>The <c>configured</c> event.</summary>
    public const string Configured = "configured";

    /// <summary>The <c>refused</c> event.</summary>
    public const string Refused = "refused";

    /// <summary>The <c>ready</c> event.</summary>
    public const string Ready = "ready";

    /// <summary>The <c>exited</c> event.</summary>
    public const string Exited = "exited";

    /// <summary>One of the event names above.</summary>
    public required string Name { get; init; }

    /// <summary>The job it is about (<c>ready</c>, <c>exited</c>).</summary>
    public string? Job { get; init; }

    /// <summary>For <c>exited</c>: the command's exit status (128 + signal number when a signal ended it); null when it never ran.</summary>
    public int? ExitCode { get; init; }

    /// <summary>For <c>exited</c>: the worker's memory limit was hit while the job ran, and the kernel killed one of its processes.</summary>
    public bool OutOfMemory { get; init; }

    /// <summary>For <c>refused</c>, and for an <c>exited</c> job whose sandbox could not be made: what went wrong.</summary>
    public string? Message { get; init; }

    /// <summary>The event as UTF-8 JSON.</summary>
    public byte[] ToUtf8Json()
    {
        var json = new JsonObject { ["event"] = Name };
        if (Job is not null)
        {
            json["job"] = Job;
        }

        if (ExitCode is { } code)
        {
            json["exitCode"] = code;
        }

        if (OutOfMemory)
        {
            json["oom"] = true;
        }

        if (Message is not null)
        {
            json["message"] = Message;
        }

        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    /// <summary>Reads an event written by <see cref="ToUtf8Json"/>.</summary>
    /// <exception cref="InvalidDataException">The payload is not an event.</exception>
    public static WorkerEvent Parse(ReadOnlySpan<byte> utf8)
    {
        var json = JsonNode.Parse(utf8) as JsonObject ?? throw new InvalidDataException("A worker event must be a JSON object.");
        return new WorkerEvent
        {
            Name = json["event"]?.GetValue<string>() ?? throw new InvalidDataException("A worker event has no name."),
            Job = json["job"]?.GetValue<string>(),
            ExitCode = json["exitCode"]?.GetValue<int>(),
            OutOfMemory = json["oom"]?.GetValue<bool>() ?? false,
            Message = json["message"]?.GetValue<string>(),
        };
    }
}
