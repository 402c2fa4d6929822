namespace ContainerTest.Protocol;

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

/// <summary>
/// The hit counts coverlet's instrumentation recorded for one module while a test ran in its
/// container. coverlet.collector instruments the modules in the test's output folder before the
/// test host starts; the injected tracker class counts hits in a static array and, natively,
/// writes them at process exit to a hits file on the host (<see cref="HitsFilePath"/>, baked into
/// the module), which the collector reads when the session ends. In a container that file would
/// land in the container's own /tmp, so the agent sends the counts instead and the host adds them
/// to the hits file (see the adapter's CoverletHitsFile).
/// </summary>
/// <param name="HitsFilePath">The host path of the module's hits file, as the instrumentation named it.</param>
/// <param name="SingleHit">coverlet's SingleHit mode: a location counts once at most.</param>
/// <param name="Hits">One count per instrumented location, in coverlet's order.</param>
public sealed partial record CoverletHits(string HitsFilePath, bool SingleHit, int[] Hits)
{
    /// <summary>The protocol message kind.</summary>
    public const string Kind = "coverlet-hits";

    /// <summary>The namespace of the tracker class coverlet injects into each module it instruments (coverlet 6 and 10).</summary>
    public const string TrackerNamespace = "Coverlet.Core.Instrumentation.Tracker";

    /// <summary>The message the agent sends: the counts as little-endian 32-bit integers, base64.</summary>
    public JsonObject ToMessage() =>
        new()
        {
            ["kind"] = Kind,
            ["hitsFile"] = HitsFilePath,
            ["singleHit"] = SingleHit,
            ["hits"] = PackedInt32s.ToBase64(Hits),
        };

    /// <summary>Reads a message written by <see cref="ToMessage"/>. Throws <see cref="InvalidDataException"/> when it is malformed.</summary>
    public static CoverletHits FromMessage(JsonObject message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var path = message["hitsFile"]?.GetValue<string>() ?? throw new InvalidDataException("coverage hits without a hits file");
        var hits = PackedInt32s.FromBase64(message["hits"]?.GetValue<string>(), "coverage hits");
        return new CoverletHits(path, message["singleHit"]?.GetValue<bool>() ?? false, hits);
    }

    /// <summary>True for a file name coverlet gives a hits file: <c>&lt;module&gt;_&lt;guid&gt;</c>.</summary>
    public static bool IsHitsFileName(string fileName) => HitsFileName().IsMatch(fileName);

    /// <summary>
    /// Reads a hits file in coverlet's format (ModuleTrackerTemplate, coverlet 6 and 10): a 32-bit
    /// count of locations, then one 32-bit count per location. Throws <see cref="IOException"/>
    /// (<see cref="EndOfStreamException"/> for a short file) when it cannot.
    /// </summary>
    public static int[] ReadHitsFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var reader = new BinaryReader(stream);
        var locations = reader.ReadInt32();
        if (locations < 0 || locations > (stream.Length - sizeof(int)) / sizeof(int))
        {
            throw new InvalidDataException($"{path} counts {locations} locations in {stream.Length} bytes");
        }

        var counts = new int[locations];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = reader.ReadInt32();
        }

        return counts;
    }

    [GeneratedRegex(@"^.+_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex HitsFileName();
}
