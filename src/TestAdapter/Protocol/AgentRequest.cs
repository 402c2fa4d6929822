namespace ContainerTest.Protocol;

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// What the agent in a container is asked to do: run one test case through one framework
/// adapter. It travels as the first line of the agent's stdin.
/// </summary>
public sealed class AgentRequest
{
    /// <summary>The agent argument that names a request file to read instead of stdin.</summary>
    public const string FileArgument = "--request";

    /// <summary>Where a request file is put when stdin cannot carry it (an interactive shell's terminal).</summary>
    public const string ContainerPath = "/.containertest/request.json";

    /// <summary>The test assembly (absolute path, the same inside the container as on the host).</summary>
    public required string Source { get; init; }

    /// <summary>The framework's VSTest adapter assembly to load.</summary>
    public required string AdapterPath { get; init; }

    /// <summary>The framework executor's URI (<c>executor://mstestadapter/v2</c>…).</summary>
    public required string ExecutorUri { get; init; }

    /// <summary>The run's settings XML, as the framework would have received it natively.</summary>
    public string? RunSettingsXml { get; init; }

    /// <summary>A random token that marks the agent's protocol lines among whatever else the test writes.</summary>
    public required string Nonce { get; init; }

    /// <summary>The test to run, with all its properties.</summary>
    public required TestCase TestCase { get; init; }

    /// <summary>True when the run collects coverage with coverlet: the agent then sends its trackers' counts home (see <see cref="CoverletHits"/>).</summary>
    public bool CollectCoverletHits { get; init; }

    /// <summary>
    /// The probe buffers of Microsoft's code coverage collector when the run collects with it (none
    /// otherwise): the agent gives the test a zeroed copy of each, at its path, and sends back the
    /// probes that ran (see <see cref="MicrosoftCoverageProbes"/>).
    /// </summary>
    public IReadOnlyList<MicrosoftCoverageBuffer> MicrosoftCoverageBuffers { get; init; } = [];

    /// <summary>
    /// Run the framework over the whole <see cref="Source"/> instead of handing it <see cref="TestCase"/>:
    /// the run settings then carry the framework's own filter, which selects this one test where
    /// the framework cannot select it by name (or must meet it without choosing it).
    /// </summary>
    public bool RunWholeSource { get; init; }

    /// <summary>Serializes the request.</summary>
    public byte[] ToUtf8Json()
    {
        var json = new JsonObject
        {
            ["source"] = Source,
            ["adapterPath"] = AdapterPath,
            ["executorUri"] = ExecutorUri,
            ["runSettingsXml"] = RunSettingsXml,
            ["nonce"] = Nonce,
            ["testCase"] = TestObjectJson.WriteProperties(TestCase),
            ["collectCoverletHits"] = CollectCoverletHits,
            ["runWholeSource"] = RunWholeSource,
        };
        if (MicrosoftCoverageBuffers.Count > 0)
        {
            json["microsoftCoverageBuffers"] = new JsonArray([.. MicrosoftCoverageBuffers.Select(b => (JsonNode?)new JsonObject { ["path"] = b.Path, ["length"] = b.Length })]);
        }

        return JsonSerializer.SerializeToUtf8Bytes(json);
    }

    /// <summary>The request as the agent reads it from stdin: one line of JSON (JSON text written this way holds no raw newline).</summary>
    public byte[] ToStdinLine() => [.. ToUtf8Json(), (byte)'\n'];

    /// <summary>Reads a request written by <see cref="ToUtf8Json"/>.</summary>
    public static AgentRequest FromUtf8Json(ReadOnlySpan<byte> utf8)
    {
        var json = JsonNode.Parse(utf8) as JsonObject ?? throw new InvalidDataException("The agent request is not a JSON object.");
        var testCase = new TestCase();
        TestObjectJson.ReadProperties(json["testCase"] as JsonArray ?? [], testCase);
        return new AgentRequest
        {
            Source = Required(json, "source"),
            AdapterPath = Required(json, "adapterPath"),
            ExecutorUri = Required(json, "executorUri"),
            RunSettingsXml = json["runSettingsXml"]?.GetValue<string>(),
            Nonce = Required(json, "nonce"),
            TestCase = testCase,
            CollectCoverletHits = json["collectCoverletHits"]?.GetValue<bool>() ?? false,
            RunWholeSource = json["runWholeSource"]?.GetValue<bool>() ?? false,
            MicrosoftCoverageBuffers = (json["microsoftCoverageBuffers"] as JsonArray ?? [])
                .Select(b => new MicrosoftCoverageBuffer(
                    b?["path"]?.GetValue<string>() ?? throw new InvalidDataException("A coverage buffer of the agent request lacks 'path'."),
                    b["length"]?.GetValue<int>() ?? throw new InvalidDataException("A coverage buffer of the agent request lacks 'length'.")))
                .ToList(),
        };
    }

    private static string Required(JsonObject json, string name) =>
        json[name]?.GetValue<string>() ?? throw new InvalidDataException($"The agent request lacks '{name}'.");
}
