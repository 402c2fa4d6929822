namespace ContainerTest.MsBuildTasks.Pinning;

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ContainerTest.DockerCredentials;

/// <summary>
/// Asks a registry for the digest of an image's manifest through the OCI distribution API
/// (<c>HEAD /v2/NAME/manifests/TAG</c>). A multi-platform image (OCI index, Docker manifest list)
/// resolves to the digest of the index itself, so the engine still picks its own platform from it.
/// Anonymous access, Bearer tokens (Docker registry token auth, anonymous or with the stored
/// login) and Basic auth are supported.
/// </summary>
public sealed class RegistryClient(HttpClient http, Func<string, CancellationToken, Task<RegistryLogin?>> findLogin)
{
    private static readonly string[] ManifestMediaTypes =
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ];

    /// <summary>
    /// An HTTP client for registries: a registry that does not accept the connection within 10 s
    /// (a firewall dropping packets) or answer within 30 s is given up on, so an unlocked build
    /// that only warns about it is not held up for long.
    /// </summary>
    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The digest (<c>sha256:…</c>) the registry serves for <paramref name="image"/>'s tag.</summary>
    public async Task<string> ResolveDigestAsync(ImageName image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var reference = image.Digest ?? image.Tag ?? "latest";
        var uri = new Uri($"{(image.IsLoopback ? "http" : "https")}://{image.ApiHost}/v2/{image.Repository}/manifests/{reference}");
        var shown = image.Canonical;
        try
        {
            AuthenticationHeaderValue? authorization = null;
            using var head = await SendAsync(HttpMethod.Head, uri, authorization, cancellationToken).ConfigureAwait(false);
            var response = head;
            HttpResponseMessage? retried = null;
            try
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    authorization = await AuthorizeAsync(image, response, cancellationToken).ConfigureAwait(false);
                    retried = await SendAsync(HttpMethod.Head, uri, authorization, cancellationToken).ConfigureAwait(false);
                    response = retried;
                }

                if (response.IsSuccessStatusCode && response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { Length: > 0 } digest)
                {
                    return digest;
                }

                if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.MethodNotAllowed)
                {
                    // No digest header (or no HEAD): the digest is the sha256 of the manifest exactly as served.
                    using var get = await SendAsync(HttpMethod.Get, uri, authorization, cancellationToken).ConfigureAwait(false);
                    Fail(get, shown);
                    var body = await get.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                    return "sha256:" + Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant();
                }

                Fail(response, shown);
                throw new PinningException($"The registry {image.Registry} answered {(int)response.StatusCode} for {shown}.");
            }
            finally
            {
                retried?.Dispose();
            }
        }
        catch (HttpRequestException ex)
        {
            throw new PinningException($"The registry {image.Registry} for {shown} cannot be reached ({ex.Message}).", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PinningException($"The registry {image.Registry} for {shown} did not answer within {http.Timeout.TotalSeconds:0} s.", ex);
        }
    }

    private static void Fail(HttpResponseMessage response, string shown)
    {
        switch (response.StatusCode)
        {
            case var ok when response.IsSuccessStatusCode:
                return;
            case HttpStatusCode.NotFound:
                throw new PinningException($"The registry has no image {shown} (404: no such repository or tag).");
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                throw new PinningException($"The registry refused access to {shown} ({(int)response.StatusCode}): log in with `docker login`, or check the stored login can pull this repository.");
            default:
                throw new PinningException($"The registry answered {(int)response.StatusCode} {response.ReasonPhrase} for {shown}.");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri);
        foreach (var mediaType in ManifestMediaTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        request.Headers.Authorization = authorization;
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Answers a 401: a Bearer token from the challenge's realm, or Basic with the stored login.</summary>
    private async Task<AuthenticationHeaderValue> AuthorizeAsync(ImageName image, HttpResponseMessage unauthorized, CancellationToken cancellationToken)
    {
        var challenges = unauthorized.Headers.WwwAuthenticate
            .Select(h => AuthChallenge.Parse(h.ToString()))
            .OfType<AuthChallenge>()
            .ToList();
        var login = await findLogin(image.Registry, cancellationToken).ConfigureAwait(false);
        var bearer = challenges.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase));
        if (bearer is not null)
        {
            return new AuthenticationHeaderValue("Bearer", await FetchTokenAsync(image, bearer, login, cancellationToken).ConfigureAwait(false));
        }

        if (challenges.Any(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)))
        {
            return login is null
                ? throw new PinningException($"The registry {image.Registry} needs a login to read {image.Canonical} and none is stored: run `docker login {image.Registry}`.")
                : Basic(login);
        }

        throw new PinningException($"The registry {image.Registry} asks for an authentication scheme ContainerTest does not speak ('{string.Join(", ", challenges.Select(c => c.Scheme))}').");
    }

    private async Task<string> FetchTokenAsync(ImageName image, AuthChallenge challenge, RegistryLogin? login, CancellationToken cancellationToken)
    {
        if (challenge["realm"] is not { Length: > 0 } realm || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            throw new PinningException($"The registry {image.Registry} asks for a Bearer token but names no valid realm to get it from.");
        }

        var query = new List<string>();
        if (challenge["service"] is { Length: > 0 } service)
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        query.Add("scope=" + Uri.EscapeDataString(challenge["scope"] is { Length: > 0 } scope ? scope : $"repository:{image.Repository}:pull"));
        var separator = realmUri.Query.Length > 0 ? "&" : "?";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(realm + separator + string.Join('&', query)));
        if (login is not null && !login.IsIdentityToken)
        {
            request.Headers.Authorization = Basic(login);
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new PinningException(
                $"The token service {realmUri.GetLeftPart(UriPartial.Path)} refused a token to read {image.Canonical} ({(int)response.StatusCode})"
                + (login is null ? ": log in with `docker login " + image.Registry + "`." : $" with the login of {login.UserName} from {login.Source}: check it, or `docker login {image.Registry}` again."));
        }

        try
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            foreach (var name in new[] { "token", "access_token" })
            {
                if (body.RootElement.TryGetProperty(name, out var token) && token.GetString() is { Length: > 0 } value)
                {
                    return value;
                }
            }
        }
        catch (JsonException)
        {
        }

        throw new PinningException($"The token service {realmUri.GetLeftPart(UriPartial.Path)} answered without a token.");
    }

    private static AuthenticationHeaderValue Basic(RegistryLogin login) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(login.UserName + ":" + login.Secret)));
}
