namespace ContainerTest.ContainerRuntime.Network;

using System.Globalization;

/// <summary>A TCP endpoint a job may be allowed to reach: a host name or IP address, and a port.</summary>
public sealed record NetworkEndpoint(string Host, int Port)
{
    /// <summary>Parses <c>host:port</c> or <c>[v6-address]:port</c>.</summary>
    public static bool TryParse(string? text, out NetworkEndpoint? endpoint)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        if (host.Length == 0
            || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        endpoint = new NetworkEndpoint(host, port);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}
