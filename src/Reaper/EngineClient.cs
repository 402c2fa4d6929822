namespace ContainerTest.Reaper;

using System.Net;
using System.Net.Sockets;
using System.Text.Json;

/// <summary>
/// The few Docker Engine API calls the reaper makes (list and remove containers, networks and
/// volumes by label), over the engine's Unix socket, with the shared framework's HTTP client.
/// </summary>
internal sealed class EngineClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient http;

    /// <param name="socketPath">The engine's socket inside this container.</param>
    public EngineClient(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        http = new HttpClient(handler) { BaseAddress = new Uri("http://docker/"), Timeout = RequestTimeout };
    }

    /// <summary>Whether the engine answers <c>/_ping</c>.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync("_ping", cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>Whether the engine has a container of that id or name (a reaper finds itself by its host name, its short id).</summary>
    public async Task<bool> HasContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("containers/" + Uri.EscapeDataString(id) + "/json", cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Every container (running or not) carrying all of <paramref name="labels"/> (<c>key=value</c>), optionally only those in <paramref name="status"/>.</summary>
    public async Task<IReadOnlyList<ContainerEntry>> ListContainersAsync(IEnumerable<string> labels, string? status, CancellationToken cancellationToken)
    {
        var filters = new Dictionary<string, string[]> { ["label"] = labels.ToArray() };
        if (status is not null)
        {
            filters["status"] = [status];
        }

        using var document = await GetJsonAsync("containers/json?all=1&filters=" + Uri.EscapeDataString(JsonSerializer.Serialize(filters)), cancellationToken).ConfigureAwait(false);
        return document.RootElement.EnumerateArray()
            .Select(c => new ContainerEntry(
                c.GetProperty("Id").GetString()!,
                c.TryGetProperty("State", out var state) ? state.GetString() ?? string.Empty : string.Empty,
                c.TryGetProperty("Created", out var created) ? DateTimeOffset.FromUnixTimeSeconds(created.GetInt64()) : DateTimeOffset.MinValue))
            .ToList();
    }

    /// <summary>The ids of the networks carrying <paramref name="label"/> (<c>key=value</c>).</summary>
    public async Task<IReadOnlyList<string>> ListNetworksAsync(string label, CancellationToken cancellationToken)
    {
        using var document = await GetJsonAsync("networks?filters=" + Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [label] })), cancellationToken).ConfigureAwait(false);
        return document.RootElement.EnumerateArray().Select(n => n.GetProperty("Id").GetString()!).ToList();
    }

    /// <summary>The names of the volumes carrying <paramref name="label"/> (<c>key=value</c>).</summary>
    public async Task<IReadOnlyList<string>> ListVolumesAsync(string label, CancellationToken cancellationToken)
    {
        using var document = await GetJsonAsync("volumes?filters=" + Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [label] })), cancellationToken).ConfigureAwait(false);
        return document.RootElement.TryGetProperty("Volumes", out var volumes) && volumes.ValueKind == JsonValueKind.Array
            ? volumes.EnumerateArray().Select(v => v.GetProperty("Name").GetString()!).ToList()
            : [];
    }

    /// <summary>Kills and removes a container with its anonymous volumes; true when it is gone (or going: the engine is already removing it).</summary>
    public Task<bool> RemoveContainerAsync(string id, CancellationToken cancellationToken) =>
        DeleteAsync("containers/" + Uri.EscapeDataString(id) + "?force=1&v=1", cancellationToken);

    /// <summary>Removes a container that does not run; true when it is gone. One that runs (started meanwhile) is left as it is.</summary>
    public async Task<bool> RemoveStoppedContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync("containers/" + Uri.EscapeDataString(id) + "?v=1", cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound;
    }

    /// <summary>Removes a network; false while a container is still connected to it.</summary>
    public Task<bool> RemoveNetworkAsync(string id, CancellationToken cancellationToken) =>
        DeleteAsync("networks/" + Uri.EscapeDataString(id), cancellationToken);

    /// <summary>Removes a volume; false while a container still uses it.</summary>
    public Task<bool> RemoveVolumeAsync(string name, CancellationToken cancellationToken) =>
        DeleteAsync("volumes/" + Uri.EscapeDataString(name), cancellationToken);

    public void Dispose() => http.Dispose();

    private async Task<JsonDocument> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET /{path.Split('?')[0]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}".Trim());
        }

        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync(path, cancellationToken).ConfigureAwait(false);

        // 404: gone already. 409 for a container: its removal is already under way.
        return response.IsSuccessStatusCode
            || response.StatusCode == HttpStatusCode.NotFound
            || (response.StatusCode == HttpStatusCode.Conflict && path.StartsWith("containers/", StringComparison.Ordinal));
    }
}
