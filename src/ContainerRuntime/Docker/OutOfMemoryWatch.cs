namespace ContainerTest.ContainerRuntime.Docker;

using System.Collections.Concurrent;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Listens to the engine's <c>oom</c> events for this run's containers. Containers are removed by
/// the engine as soon as they stop, so their OOMKilled flag cannot be read afterwards; the event,
/// which comes before the container stops, is remembered instead.
/// </summary>
internal sealed class OutOfMemoryWatch : IDisposable
{
    private readonly ConcurrentDictionary<string, byte> killed = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stop = new();

    public OutOfMemoryWatch(IDockerClient client, string runId)
    {
        var parameters = new ContainerEventsParameters
        {
            // Replayed from a moment before the watch began: an oom event that happens while the
            // subscription is still being set up is not missed.
            Since = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                ["event"] = new Dictionary<string, bool> { ["oom"] = true },
                ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.RunId}={runId}"] = true },
            },
        };
        Listening = ListenAsync(client, parameters);
    }

    /// <summary>Ends when the watch is disposed or the engine goes away.</summary>
    public Task Listening { get; }

    /// <summary>True once an out-of-memory kill was seen in the container, waiting up to <paramref name="grace"/> for the event.</summary>
    public async Task<bool> WasKilledAsync(string containerId, TimeSpan grace)
    {
        var deadline = DateTime.UtcNow + grace;
        while (true)
        {
            if (killed.ContainsKey(containerId))
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), CancellationToken.None).ConfigureAwait(false);
        }
    }

    public void Forget(string containerId) => killed.TryRemove(containerId, out _);

    public void Dispose()
    {
        stop.Cancel();
        stop.Dispose();
    }

    private async Task ListenAsync(IDockerClient client, ContainerEventsParameters parameters)
    {
        try
        {
            await client.System.MonitorEventsAsync(
                parameters,
                new SynchronousProgress<Message>(message =>
                {
                    if (message.Action == "oom" && message.Actor?.ID is { } id)
                    {
                        killed[id] = 0;
                    }
                }),
                stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or DockerApiException or ObjectDisposedException)
        {
            // Disposed, or the engine went away (jobs will report that themselves).
        }
    }
}
