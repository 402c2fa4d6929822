namespace ContainerTest.ContainerRuntime.Services;

using System.Globalization;

/// <summary>When a shared service counts as ready for the first job.</summary>
public abstract record ServiceReadiness
{
    /// <summary>Parses <c>tcp:PORT</c>, <c>log:TEXT</c> or <c>exec:COMMAND ARGS…</c> (arguments split at spaces).</summary>
    public static bool TryParse(string? text, out ServiceReadiness? readiness, out string? error)
    {
        readiness = null;
        error = null;
        var value = text?.Trim() ?? string.Empty;
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? value : value[..colon].ToLowerInvariant();
        var argument = colon < 0 ? string.Empty : value[(colon + 1)..].Trim();
        switch (kind)
        {
            case "tcp" when int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535:
                readiness = new TcpReadiness(port);
                return true;
            case "log" when argument.Length > 0:
                readiness = new LogReadiness(argument);
                return true;
            case "exec" when argument.Length > 0:
                readiness = new CommandReadiness(argument.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                return true;
            default:
                error = $"'{text}' is not a readiness check: use tcp:PORT (a connection to that port succeeds), log:TEXT (the service's output holds TEXT) or exec:COMMAND ARGS (the command, run inside the service, exits 0).";
                return false;
        }
    }
}

/// <summary>Ready once a TCP connection to <paramref name="Port"/> succeeds.</summary>
public sealed record TcpReadiness(int Port) : ServiceReadiness
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"tcp:{Port}");
}

/// <summary>Ready once the service's output (stdout or stderr) holds <paramref name="Text"/>.</summary>
public sealed record LogReadiness(string Text) : ServiceReadiness
{
    /// <inheritdoc />
    public override string ToString() => "log:" + Text;
}

/// <summary>Ready once <paramref name="Command"/>, run inside the service, exits 0.</summary>
public sealed record CommandReadiness(IReadOnlyList<string> Command) : ServiceReadiness
{
    /// <inheritdoc />
    public override string ToString() => "exec:" + string.Join(' ', Command);
}
