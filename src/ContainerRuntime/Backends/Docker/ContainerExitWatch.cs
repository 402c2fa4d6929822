namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Collections.Concurrent;
using System.Globalization;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Listens to the engine's <c>oom</c> and <c>die</c> events for this run's containers. Containers
/// are removed by the engine as soon as they stop, so what ended them cannot always be read
/// afterwards: a container that exits before its wait request reaches the engine is gone by then
/// (the wait answers "no such container"), and its OOMKilled flag goes with it. The events, which
/// come before the removal, are remembered instead — for the containers being tracked only, so
/// nothing accumulates over a long run.
/// </summary>
internal sealed class ContainerExitWatch : IDisposable
{
    private static readonly TimeSpan ExitEventGrace = TimeSpan.FromSeconds(5);
    // The engine's oom event trails the exit under load: 2 s was once not enough beside the suite's
    // kill-under-load tests (CI, 2026-11-30). Waited for only when a job with a memory limit exits 137.
    private static readonly TimeSpan OomEventGrace = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, Ending> tracked = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stop = new();
    private readonly IDockerClient client;

    public ContainerExitWatch(IDockerClient client, string runId)
    {
        this.client = client;
        var parameters = new ContainerEventsParameters
        {
            // Replayed from a moment before the watch began: an event that happens while the
            // subscription is still being set up is not missed.
            Since = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 2).ToString(CultureInfo.InvariantCulture),
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                ["event"] = new Dictionary<string, bool> { ["oom"] = true, ["die"] = true },
                ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.RunId}={runId}"] = true },
            },
        };
        Listening = ListenAsync(parameters);
    }

    /// <summary>Ends when the watch is disposed or the engine goes away.</summary>
    public Task Listening { get; }

    /// <summary>Remembers the container's events from now until <see cref="Forget"/>.</summary>
    public void Track(string containerId) => tracked.TryAdd(containerId, default);

    /// <summary>Stops remembering the container's events (it has been removed, see <see cref="ContainerEnd"/>).</summary>
    public void Forget(string containerId) => tracked.TryRemove(containerId, out _);

    /// <summary>
    /// True when an oom event came for the container, waiting up to five seconds for it: the
    /// engine's oom and die events come from different watchers and arrive in either order.
    /// </summary>
    public async Task<bool> WasKilledAsync(string containerId) =>
        await WhenSeenAsync(containerId, ending => ending.OutOfMemory, OomEventGrace).ConfigureAwait(false);

    /// <summary>
    /// Waits for the tracked container to exit and returns its exit code: from the engine's wait,
    /// or, when the engine removed the container before the wait reached it, from its die event
    /// (null when that does not come within a few seconds either).
    /// </summary>
    public async Task<int?> WaitForExitAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            return (int)(await client.Containers.WaitContainerAsync(containerId, cancellationToken).ConfigureAwait(false)).StatusCode;
        }
        catch (DockerContainerNotFoundException)
        {
            return await WhenSeenAsync(containerId, ending => ending.ExitCode is not null, ExitEventGrace).ConfigureAwait(false)
                && tracked.TryGetValue(containerId, out var ending) ? ending.ExitCode : null;
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        stop.Dispose();
    }

    private async Task<bool> WhenSeenAsync(string containerId, Func<Ending, bool> seen, TimeSpan grace)
    {
        var deadline = DateTime.UtcNow + grace;
        while (true)
        {
            if (tracked.TryGetValue(containerId, out var ending) && seen(ending))
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

    private async Task ListenAsync(ContainerEventsParameters parameters)
    {
        try
        {
            await client.System.MonitorEventsAsync(parameters, new SynchronousProgress<Message>(Record), stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or DockerApiException or ObjectDisposedException)
        {
            // Disposed, or the engine went away (jobs will report that themselves).
        }
    }

    private void Record(Message message)
    {
        if (message.Actor?.ID is not { } id)
        {
            return;
        }

        // Only tracked containers are updated (TryUpdate never adds one that was forgotten).
        while (tracked.TryGetValue(id, out var ending))
        {
            var updated = message.Action switch
            {
                "oom" => ending with { OutOfMemory = true },
                "die" when message.Actor.Attributes?.TryGetValue("exitCode", out var code) == true
                    && int.TryParse(code, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exitCode)
                    => ending with { ExitCode = exitCode },
                _ => ending,
            };
            if (updated == ending || tracked.TryUpdate(id, updated, ending))
            {
                return;
            }
        }
    }

    /// <summary>What the events said about one container.</summary>
    private readonly record struct Ending(bool OutOfMemory, int? ExitCode);
}
