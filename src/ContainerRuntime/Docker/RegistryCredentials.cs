namespace ContainerTest.ContainerRuntime.Docker;

using System.Text;
using System.Text.Json;
using global::Docker.DotNet.Models;

/// <summary>
/// Reads registry credentials the way the Docker CLI stores them without a helper: the
/// <c>auths</c> section of <c>$DOCKER_CONFIG/config.json</c> (default <c>~/.docker/config.json</c>).
/// </summary>
internal static class RegistryCredentials
{
    public static async Task<AuthConfig?> FindAsync(string? registryHost, CancellationToken cancellationToken)
    {
        var directory = Environment.GetEnvironmentVariable("DOCKER_CONFIG")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        var file = Path.Combine(directory, "config.json");
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            await using var stream = File.OpenRead(file);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!document.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var key = registryHost ?? ImageReference.DockerHubAuthKey;
            foreach (var entry in auths.EnumerateObject())
            {
                if (!Matches(entry.Name, key) || !entry.Value.TryGetProperty("auth", out var auth) || auth.GetString() is not { Length: > 0 } encoded)
                {
                    continue;
                }

                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    return new AuthConfig { Username = decoded[..colon], Password = decoded[(colon + 1)..], ServerAddress = entry.Name };
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or IOException or UnauthorizedAccessException)
        {
            // An unreadable config file means no stored credentials: anonymous pulls still work,
            // and a registry that needs a login says so in the pull error we report.
        }

        return null;
    }

    private static bool Matches(string configured, string host)
    {
        var name = configured.Replace("https://", string.Empty, StringComparison.OrdinalIgnoreCase)
            .Replace("http://", string.Empty, StringComparison.OrdinalIgnoreCase)
            .TrimEnd('/');
        var wanted = host.Replace("https://", string.Empty, StringComparison.OrdinalIgnoreCase).TrimEnd('/');
        return string.Equals(name, wanted, StringComparison.OrdinalIgnoreCase)
            || name.StartsWith(wanted + "/", StringComparison.OrdinalIgnoreCase);
    }
}
