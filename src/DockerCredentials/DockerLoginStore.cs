namespace ContainerTest.DockerCredentials;

using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

/// <summary>
/// Finds the login for a registry where the Docker CLI keeps it: <c>$DOCKER_CONFIG/config.json</c>
/// (default <c>~/.docker/config.json</c>) — a credential helper named in <c>credHelpers</c> for that
/// registry or in <c>credsStore</c> (run as <c>docker-credential-NAME get</c>), else the base64
/// <c>auth</c> (or <c>identitytoken</c>) of its <c>auths</c> entry.
/// </summary>
public sealed class DockerLoginStore(string configFile)
{
    /// <summary>Docker Hub's name in image references.</summary>
    public const string DockerHub = "docker.io";

    /// <summary>Docker Hub's name in the Docker config (<c>auths</c> and <c>credHelpers</c> keys, helper requests).</summary>
    public const string DockerHubConfigKey = "https://index.docker.io/v1/";

    /// <summary>The config file this store reads.</summary>
    public string ConfigFile => configFile;

    /// <summary>The config file the Docker CLI reads for the current user.</summary>
    public static DockerLoginStore ForCurrentUser() =>
        new(Path.Combine(
            Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } dir ? dir : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker"),
            "config.json"));

    /// <summary>
    /// The login for <paramref name="registry"/> (as references name it: <c>docker.io</c>, <c>host:port</c>;
    /// null for Docker Hub), or null for anonymous. Throws <see cref="DockerLoginException"/> when the
    /// config names a login that cannot be had.
    /// </summary>
    public async Task<RegistryLogin?> FindAsync(string? registry, CancellationToken cancellationToken)
    {
        registry ??= DockerHub;
        if (!File.Exists(configFile))
        {
            return null;
        }

        JsonDocument document;
        try
        {
            await using var stream = File.OpenRead(configFile);
            document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new DockerLoginException($"Cannot read the Docker config file {configFile} for the login to {registry}: {ex.Message}. Fix or remove the file (`docker login {registry}` rewrites it).", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var key = registry == DockerHub ? DockerHubConfigKey : registry;
            var helper = root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object && helpers.TryGetProperty(key, out var named) ? StringOrNull(named)
                : root.TryGetProperty("credsStore", out var store) ? StringOrNull(store)
                : null;
            if (helper is { Length: > 0 })
            {
                return await FromHelperAsync(helper, key, cancellationToken).ConfigureAwait(false);
            }

            if (!root.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var entry in auths.EnumerateObject())
            {
                if (!SameRegistry(entry.Name, key) || entry.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (entry.Value.TryGetProperty("identitytoken", out var token) && StringOrNull(token) is { Length: > 0 } identity)
                {
                    return new RegistryLogin(RegistryLogin.IdentityTokenUser, identity) { Source = configFile, ServerAddress = entry.Name };
                }

                if (entry.Value.TryGetProperty("auth", out var auth) && StringOrNull(auth) is { Length: > 0 } encoded)
                {
                    string decoded;
                    try
                    {
                        decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                    }
                    catch (FormatException ex)
                    {
                        throw new DockerLoginException($"The login for {entry.Name} in {configFile} is not base64 'user:password': run `docker login {registry}` again.", ex);
                    }

                    var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        return new RegistryLogin(decoded[..colon], decoded[(colon + 1)..]) { Source = configFile, ServerAddress = entry.Name };
                    }
                }
            }

            return null;
        }
    }

    private static string? StringOrNull(JsonElement element) => element.ValueKind == JsonValueKind.String ? element.GetString() : null;

    private static bool SameRegistry(string configured, string key)
    {
        static string Bare(string s) => s.Replace("https://", string.Empty, StringComparison.OrdinalIgnoreCase)
            .Replace("http://", string.Empty, StringComparison.OrdinalIgnoreCase).TrimEnd('/');
        var name = Bare(configured);
        var wanted = Bare(key);
        return string.Equals(name, wanted, StringComparison.OrdinalIgnoreCase) || name.StartsWith(wanted + "/", StringComparison.OrdinalIgnoreCase);
    }

    private async Task<RegistryLogin?> FromHelperAsync(string helper, string server, CancellationToken cancellationToken)
    {
        var program = "docker-credential-" + helper;
        var start = new ProcessStartInfo(program)
        {
            ArgumentList = { "get" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new DockerLoginException($"{configFile} names the credential helper '{helper}' for {server}, but {program} is not on PATH: install it, or remove it from the file and `docker login` again.", ex);
        }

        await process.StandardInput.WriteAsync(server).ConfigureAwait(false);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var text = await output.ConfigureAwait(false);
        var problem = (await error.ConfigureAwait(false)).Trim();
        if (process.ExitCode != 0)
        {
            // Helpers answer "credentials not found in native keychain" for a registry never logged in to: anonymous then.
            return (text + problem).Contains("not found", StringComparison.OrdinalIgnoreCase)
                ? null
                : throw new DockerLoginException($"The credential helper {program} failed for {server} (exit {process.ExitCode}): {(problem.Length > 0 ? problem : text.Trim())}");
        }

        try
        {
            using var answer = JsonDocument.Parse(text);
            var user = answer.RootElement.TryGetProperty("Username", out var u) ? StringOrNull(u) : null;
            var secret = answer.RootElement.TryGetProperty("Secret", out var s) ? StringOrNull(s) : null;
            return user is { Length: > 0 } && secret is { Length: > 0 } ? new RegistryLogin(user, secret) { Source = program, ServerAddress = server } : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new DockerLoginException($"The credential helper {program} answered something that is not JSON for {server}.", ex);
        }
    }
}
