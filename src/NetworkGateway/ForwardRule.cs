namespace ContainerTest.NetworkGateway;

using System.Globalization;

/// <summary>One forwarding rule: connections accepted on <see cref="ListenPort"/> go to the first target that answers.</summary>
/// <param name="ListenPort">The TCP port the gateway listens on (on every IPv4 address of the container).</param>
/// <param name="Targets">Where to forward, tried in order: <c>host:port</c> pairs (an IP address or a name the gateway resolves).</param>
internal sealed record ForwardRule(int ListenPort, IReadOnlyList<(string Host, int Port)> Targets)
{
    /// <summary>Parses <c>PORT=HOST:PORT[,HOST:PORT…]</c> (an IPv6 host in brackets).</summary>
    public static ForwardRule Parse(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !TryParsePort(text[..equals], out var listenPort))
        {
            throw new FormatException($"'{text}' is not PORT=HOST:PORT[,HOST:PORT...].");
        }

        var targets = new List<(string, int)>();
        foreach (var item in text[(equals + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = item.LastIndexOf(':');
            if (colon <= 0 || !TryParsePort(item[(colon + 1)..], out var port))
            {
                throw new FormatException($"'{item}' in '{text}' is not HOST:PORT.");
            }

            targets.Add((item[..colon].Trim('[', ']'), port));
        }

        if (targets.Count == 0)
        {
            throw new FormatException($"'{text}' names no target.");
        }

        return new ForwardRule(listenPort, targets);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{ListenPort} -> {string.Join(", ", Targets.Select(t => $"{t.Host}:{t.Port}"))}");

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}
