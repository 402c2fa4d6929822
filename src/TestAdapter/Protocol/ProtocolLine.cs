namespace ContainerTest.Protocol;

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

/// <summary>
/// One message of the agent, as one line on the container's stdout: a record separator, a
/// tag with the run's nonce, and JSON. Anything else on stdout is the test's own output.
/// </summary>
public static class ProtocolLine
{
    private const char RecordSeparator = '\u001e';

    /// <summary>Formats <paramref name="message"/> as a protocol line (ending in a newline).</summary>
    public static byte[] Format(string nonce, JsonObject message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Encoding.UTF8.GetBytes($"{RecordSeparator}containertest:{nonce} {message.ToJsonString()}\n");
    }

    /// <summary>
    /// Reads a line: the message when it is a protocol line of this run, null when it is ordinary
    /// output. <paramref name="outputBefore"/> is the test's own output that shared the line
    /// (written without a newline just before the message).
    /// </summary>
    public static JsonObject? TryParse(string nonce, string line, out string outputBefore)
    {
        ArgumentNullException.ThrowIfNull(line);
        var prefix = $"{RecordSeparator}containertest:{nonce} ";
        var start = line.IndexOf(prefix, StringComparison.Ordinal);
        outputBefore = start > 0 ? line[..start] : string.Empty;
        if (start < 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(line.AsSpan(start + prefix.Length).ToString()) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
