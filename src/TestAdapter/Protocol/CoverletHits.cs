namespace ContainerTest.Protocol;

using System.Buffers.Binary;
using System.Text.Json.Nodes;

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
public sealed record CoverletHits(string HitsFilePath, bool SingleHit, int[] Hits)
{
    /// <summary>The protocol message kind.</summary>
    public const string Kind = "coverlet-hits";

    /// <summary>The message the agent sends: the counts as little-endian 32-bit integers, base64.</summary>
    public JsonObject ToMessage()
    {
        var bytes = new byte[Hits.Length * sizeof(int)];
        for (var i = 0; i < Hits.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * sizeof(int)), Hits[i]);
        }

        return new JsonObject
        {
            ["kind"] = Kind,
            ["hitsFile"] = HitsFilePath,
            ["singleHit"] = SingleHit,
            ["hits"] = Convert.ToBase64String(bytes),
        };
    }

    /// <summary>Reads a message written by <see cref="ToMessage"/>. Throws <see cref="InvalidDataException"/> when it is malformed.</summary>
    public static CoverletHits FromMessage(JsonObject message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var path = message["hitsFile"]?.GetValue<string>() ?? throw new InvalidDataException("coverage hits without a hits file");
        var bytes = Convert.FromBase64String(message["hits"]?.GetValue<string>() ?? string.Empty);
        if (bytes.Length % sizeof(int) != 0)
        {
            throw new InvalidDataException("coverage hits of a length that is no whole number of counts");
        }

        var hits = new int[bytes.Length / sizeof(int)];
        for (var i = 0; i < hits.Length; i++)
        {
            hits[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * sizeof(int)));
        }

        return new CoverletHits(path, message["singleHit"]?.GetValue<bool>() ?? false, hits);
    }
}
