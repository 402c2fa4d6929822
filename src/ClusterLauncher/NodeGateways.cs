namespace ContainerTest.ClusterLauncher;

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ContainerTest.ContainerRuntime;
using ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

/// <summary>
/// The allow network policy of one worker, made on this node's engine before the worker (see
/// <see cref="NodeAllowList"/>): the worker's internal network, and the gateways connected to it.
/// Each gateway is attached, its stdin held here, so it ends with the launcher however the
/// launcher ends (it was started with <c>--until-stdin-closes</c> and auto-remove); the network
/// is removed after the worker. A network a launcher killed outright left behind (no container
/// on it) is removed by the next worker launcher of the node, whatever its policy (<see cref="SweepAsync"/>).
/// </summary>
internal sealed class NodeGateways : IAsyncDisposable
{
    /// <summary>How long a gateway may take to listen on its ports.</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How old an empty network of ContainerTest's must be before a sweep takes it for a leftover (it is empty only while being made).</summary>
    private static readonly TimeSpan LeftoverAge = TimeSpan.FromMinutes(2);

    private const string ReadyLine = "containertest-gateway ready";
    private const string ManagedLabel = ContainerLabels.Managed + "=true";

    /// <summary>The kind of an allow-list network (JobNetwork.KindLabelValue, in ContainerRuntime, which the launcher does not reference).</summary>
    private const string NetworkKindLabel = ContainerLabels.Kind + "=network";

    private readonly EngineApi engine;
    private readonly List<(string Id, EngineAttach Attached, Task Draining)> gateways = [];
    private string? networkId;

    private NodeGateways(EngineApi engine) => this.engine = engine;

    /// <summary>
    /// Makes the network and the gateways of <paramref name="plan"/>, and puts the worker's
    /// <paramref name="workerRequest"/> on them: /etc/hosts lines naming each gateway, its DNS
    /// server the first gateway (which answers no query), so nothing but the allowed ports answers.
    /// A plan without a network (the open policy with shared services) leaves the worker on the
    /// default bridge, where the gateways are too, and only adds the /etc/hosts lines.
    /// </summary>
    /// <exception cref="EngineException">The engine refused, or a gateway did not come up; what was made is removed.</exception>
    public static async Task<NodeGateways> StartAsync(EngineApi engine, NodeAllowList plan, JsonObject workerRequest, CancellationToken cancellationToken)
    {
        var made = new NodeGateways(engine);
        try
        {
            if (plan.NetworkRequest is { } network)
            {
                made.networkId = await engine.CreateNetworkAsync(network, cancellationToken).ConfigureAwait(false);
            }

            var hosts = new List<string>();
            string? first = null;
            foreach (var gateway in plan.Gateways)
            {
                var address = await made.StartGatewayAsync(gateway.CreateRequest, plan.Network, cancellationToken).ConfigureAwait(false);
                first ??= address;
                hosts.AddRange(gateway.Hosts.Select(host => host + ":" + address));
            }

            var hostConfig = workerRequest["HostConfig"] as JsonObject ?? [];
            var extraHosts = hostConfig["ExtraHosts"] as JsonArray ?? [];
            foreach (var line in hosts)
            {
                extraHosts.Add(line);
            }

            hostConfig["ExtraHosts"] = extraHosts;
            if (plan.Network is { } name)
            {
                hostConfig["NetworkMode"] = name;
                hostConfig["Dns"] = new JsonArray(JsonValue.Create(first));
            }

            workerRequest["HostConfig"] = hostConfig;
            return made;
        }
        catch
        {
            await made.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Removes the networks of ContainerTest's on this node that nothing is on and that are older than a network being made; best effort.</summary>
    public static async Task SweepAsync(EngineApi engine, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var id in await engine.ListAsync("networks", [ManagedLabel, NetworkKindLabel], cancellationToken).ConfigureAwait(false))
            {
                var network = await engine.InspectAsync("networks", id, cancellationToken).ConfigureAwait(false);
                var empty = network["Containers"] is not JsonObject { Count: > 0 };
                var created = DateTimeOffset.TryParse(network["Created"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : DateTimeOffset.MaxValue;
                if (empty && DateTimeOffset.UtcNow - created > LeftoverAge)
                {
                    await engine.RemoveAsync("networks", id, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is EngineException or HttpRequestException or IOException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"containertest launcher: could not sweep this node's leftover networks: {ex.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>Kills and removes the gateways, then the network (after the worker is gone).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (id, attached, draining) in gateways)
        {
            await engine.KillAndRemoveAsync(id).ConfigureAwait(false);
            await attached.DisposeAsync().ConfigureAwait(false);
            await draining.ConfigureAwait(false);
        }

        gateways.Clear();
        if (networkId is { } network)
        {
            networkId = null;
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await engine.RemoveAsync("networks", network, limit.Token).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (attempt < 20 && ex is EngineException)
                {
                    // An endpoint of a container just removed may linger a moment.
                    await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is EngineException or HttpRequestException or IOException or OperationCanceledException)
                {
                    await Console.Error.WriteLineAsync($"containertest launcher: the worker's network {network} could not be removed: {ex.Message}").ConfigureAwait(false);
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Creates, attaches and starts one gateway, waits until it listens, connects it to the
    /// worker's <paramref name="network"/> (if any); returns its address there (or on the default bridge).
    /// </summary>
    private async Task<string> StartGatewayAsync(JsonObject request, string? network, CancellationToken cancellationToken)
    {
        var id = await engine.CreateContainerAsync(request, cancellationToken).ConfigureAwait(false);
        EngineAttach attached;
        try
        {
            attached = await EngineAttach.OpenAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await engine.KillAndRemoveAsync(id).ConfigureAwait(false);
            throw;
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringBuilder();
        gateways.Add((id, attached, DrainAsync(attached, output, ready)));
        await engine.StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(ReadyTimeout);
            try
            {
                await ready.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new EngineException($"the network gateway did not report ready within {ReadyTimeout.TotalSeconds:0} s; its output: {Describe(output)}");
            }
            catch (InvalidOperationException)
            {
                throw new EngineException($"the network gateway stopped before it was ready (its image needs `dotnet`, .NET 8 or newer); its output: {Describe(output)}");
            }
        }

        if (network is not null)
        {
            await engine.ConnectNetworkAsync(network, id, cancellationToken).ConfigureAwait(false);
        }

        var on = network ?? "bridge";
        var inspected = await engine.InspectAsync("containers", id, cancellationToken).ConfigureAwait(false);
        return inspected["NetworkSettings"]?["Networks"]?[on]?["IPAddress"]?.GetValue<string>() is { Length: > 0 } address
            ? address
            : throw new EngineException($"the network gateway is on {on} but has no IPv4 address there");
    }

    /// <summary>Reads a gateway's output all its life (so it never blocks on a full pipe): the ready line, then what it logs, to stderr.</summary>
    private static async Task DrainAsync(EngineAttach attached, StringBuilder output, TaskCompletionSource ready)
    {
        try
        {
            while (await attached.ReadAsync(CancellationToken.None).ConfigureAwait(false) is { } chunk)
            {
                var text = Encoding.UTF8.GetString(chunk.Bytes);
                if (ready.Task.IsCompleted)
                {
                    await Console.Error.WriteAsync("containertest gateway: " + text).ConfigureAwait(false);
                    continue;
                }

                lock (output)
                {
                    output.Append(text);
                    if (output.ToString().Contains(ReadyLine, StringComparison.Ordinal))
                    {
                        ready.TrySetResult();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // closed by DisposeAsync, or the gateway is gone
        }

        ready.TrySetException(new InvalidOperationException("the gateway's output ended"));
    }

    private static string Describe(StringBuilder output)
    {
        lock (output)
        {
            return output.Length == 0 ? "(none)" : output.ToString().Trim();
        }
    }
}
