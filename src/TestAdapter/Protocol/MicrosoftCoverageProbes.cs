namespace ContainerTest.Protocol;

using System.Text.Json.Nodes;

/// <summary>
/// The probes of one <see cref="MicrosoftCoverageBuffer"/> that ran while a test ran in its job,
/// which the host sets in the collector's own buffer file; or, with <see cref="Error"/>, why the
/// job could not record them.
/// </summary>
/// <param name="BufferPath">The buffer's path, as the request named it.</param>
/// <param name="Probes">The indices of the probes that ran, ascending.</param>
/// <param name="Error">Why the agent could not give the test its buffers; null when it could.</param>
public sealed record MicrosoftCoverageProbes(string BufferPath, int[] Probes, string? Error = null)
{
    /// <summary>The protocol message kind.</summary>
    public const string Kind = "mscoverage-probes";

    /// <summary>The message the agent sends: the indices as little-endian 32-bit integers, base64.</summary>
    public JsonObject ToMessage() =>
        new()
        {
            ["kind"] = Kind,
            ["buffer"] = BufferPath,
            ["probes"] = PackedInt32s.ToBase64(Probes),
            ["error"] = Error,
        };

    /// <summary>Reads a message written by <see cref="ToMessage"/>. Throws <see cref="InvalidDataException"/> when it is malformed.</summary>
    public static MicrosoftCoverageProbes FromMessage(JsonObject message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var path = message["buffer"]?.GetValue<string>() ?? throw new InvalidDataException("coverage probes without a buffer");
        var probes = PackedInt32s.FromBase64(message["probes"]?.GetValue<string>(), "coverage probes");
        return new MicrosoftCoverageProbes(path, probes, message["error"]?.GetValue<string>());
    }
}
