namespace ContainerTest.ClusterLauncher;

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

/// <summary>
/// The few Engine API calls the launcher makes on its own node's engine (the socket the service
/// mounts at <see cref="SocketPath"/>): create, start, inspect, wait for, kill and remove a
/// container; create, connect, inspect and remove a network; list and remove the run's services
/// and secrets (on a manager). Plain HTTP over the Unix socket.
/// </summary>
internal sealed class EngineApi : IDisposable
{
    /// <summary>Where the node's engine socket is inside the launcher.</summary>
    public const string SocketPath = "/var/run/docker.sock";

    /// <summary>The API version spoken: Docker 20.10's, which every later engine still takes.</summary>
    public const string Version = "v1.41";

    private readonly HttpClient http = new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri($"http://engine/{Version}/"),
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Creates a container from <paramref name="request"/>; returns its id.</summary>
    /// <exception cref="EngineException">The engine refused.</exception>
    public async Task<string> CreateContainerAsync(JsonObject request, CancellationToken cancellationToken)
    {
        using var content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("containers/create", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var body = await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
        return (JsonNode.Parse(body) as JsonObject)?["Id"]?.GetValue<string>() ?? throw new EngineException($"the engine created a container but gave no id ({body})");
    }

    /// <summary>Creates a network from <paramref name="request"/>; returns its id.</summary>
    /// <exception cref="EngineException">The engine refused.</exception>
    public async Task<string> CreateNetworkAsync(JsonObject request, CancellationToken cancellationToken)
    {
        using var content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("networks/create", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var body = await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
        return (JsonNode.Parse(body) as JsonObject)?["Id"]?.GetValue<string>() ?? throw new EngineException($"the engine created a network but gave no id ({body})");
    }

    /// <summary>Connects container <paramref name="container"/> to network <paramref name="network"/>.</summary>
    /// <exception cref="EngineException">The engine refused.</exception>
    public async Task ConnectNetworkAsync(string network, string container, CancellationToken cancellationToken)
    {
        using var content = new StringContent(new JsonObject { ["Container"] = container }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri($"networks/{network}/connect", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the engine says of a container or a network (<paramref name="kind"/>: containers, networks): the inspect answer.</summary>
    /// <exception cref="EngineException">The engine refused (404: it does not exist).</exception>
    public async Task<JsonObject> InspectAsync(string kind, string id, CancellationToken cancellationToken)
    {
        var path = kind == "containers" ? $"containers/{id}/json" : $"{kind}/{id}";
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var body = await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
        return JsonNode.Parse(body) as JsonObject ?? throw new EngineException($"the engine's inspect answer is not an object ({body})");
    }

    /// <summary>Starts it.</summary>
    /// <exception cref="EngineException">The engine refused.</exception>
    public async Task StartContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(new Uri($"containers/{id}/start", UriKind.Relative), null, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Registers a wait for the container's removal (it is created with auto-remove) and returns
    /// once the engine has it, before the container starts, so no end can be missed; the task
    /// returned ends with the exit status.
    /// </summary>
    /// <exception cref="EngineException">The engine refused.</exception>
    public async Task<Task<int>> WaitForRemovalAsync(string id, CancellationToken cancellationToken)
    {
        // Only the head is awaited here: the engine sends it once the wait is registered, the body when the container is gone.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"containers/{id}/wait?condition=removed", UriKind.Relative));
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        return ReadStatusAsync(response);

        static async Task<int> ReadStatusAsync(HttpResponseMessage response)
        {
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false);
                return (JsonNode.Parse(body) as JsonObject)?["StatusCode"]?.GetValue<int>() ?? throw new EngineException($"the engine's answer to a wait has no status ({body})");
            }
        }
    }

    /// <summary>Kills it (SIGKILL) and removes it; a container already gone is no error.</summary>
    public async Task KillAndRemoveAsync(string id)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            using var response = await http.DeleteAsync(new Uri($"containers/{id}?force=1&v=1", UriKind.Relative), limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            // The engine is going away too; the container was created with auto-remove.
        }
    }

    /// <summary>The ids of the <paramref name="kind"/> (services, secrets, networks) labelled with every one of <paramref name="labels"/> (<c>key=value</c>).</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string kind, IReadOnlyList<string> labels, CancellationToken cancellationToken)
    {
        var filters = Uri.EscapeDataString(new JsonObject { ["label"] = new JsonArray([.. labels.Select(l => (JsonNode?)JsonValue.Create(l))]) }.ToJsonString());
        using var response = await http.GetAsync(new Uri($"{kind}?filters={filters}", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var body = await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
        return (JsonNode.Parse(body) as JsonArray ?? []).Select(n => (n?["ID"] ?? n?["Id"])?.GetValue<string>()).OfType<string>().ToList();
    }

    /// <summary>Removes a service, a secret or a network (<paramref name="kind"/>: services, secrets, networks); one already gone is no error.</summary>
    /// <exception cref="EngineException">The engine refused.</exception>
    public async Task RemoveAsync(string kind, string id, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync(new Uri($"{kind}/{id}", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await EnsureAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose() => http.Dispose();

    private static async Task<string> EnsureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return body;
        }

        string message;
        try
        {
            message = (JsonNode.Parse(body) as JsonObject)?["message"]?.GetValue<string>() ?? body;
        }
        catch (System.Text.Json.JsonException)
        {
            message = body;
        }

        throw new EngineException(string.Create(CultureInfo.InvariantCulture, $"{message.Trim()} (HTTP {(int)response.StatusCode})"));
    }
}
