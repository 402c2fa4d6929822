namespace ContainerTest.Reaper;

using System.Diagnostics;
using ContainerTest.ContainerRuntime;

/// <summary>
/// Removes everything labelled with one run's id — containers first (killed if they run), then
/// networks and volumes, which are free only once those are gone — and keeps looking until
/// nothing has turned up for a while: a create request the run sent just before it died may
/// still complete in the engine after the first pass.
/// </summary>
internal sealed class RunSweep(EngineClient engine, string runId, string selfId, TextWriter log)
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);

    private readonly string runLabel = $"{ContainerLabels.RunId}={runId}";

    /// <summary>Sweeps until <paramref name="quiet"/> has passed without finding anything, or <paramref name="limit"/> in all.</summary>
    /// <returns>How many resources were removed.</returns>
    public async Task<int> RunAsync(TimeSpan quiet, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var lastFound = TimeSpan.Zero;
        var removed = 0;
        while (true)
        {
            var (found, gone) = await PassAsync().ConfigureAwait(false);
            removed += gone;
            if (found > 0)
            {
                lastFound = clock.Elapsed;
            }

            if (clock.Elapsed - lastFound >= quiet || clock.Elapsed >= limit)
            {
                return removed;
            }

            await Task.Delay(Pause).ConfigureAwait(false);
        }
    }

    /// <summary>One pass: what was found, and how much of it is gone now.</summary>
    private async Task<(int Found, int Removed)> PassAsync()
    {
        var found = 0;
        var removed = 0;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var containers = (await engine.ListContainersAsync([runLabel], status: null, timeout.Token).ConfigureAwait(false))
                .Where(c => !c.Id.StartsWith(selfId, StringComparison.Ordinal))
                .ToList();
            found += containers.Count;
            removed += await RemoveAllAsync(containers.Select(c => c.Id), engine.RemoveContainerAsync, "container", timeout.Token).ConfigureAwait(false);

            var networks = await engine.ListNetworksAsync(runLabel, timeout.Token).ConfigureAwait(false);
            found += networks.Count;
            removed += await RemoveAllAsync(networks, engine.RemoveNetworkAsync, "network", timeout.Token).ConfigureAwait(false);

            var volumes = await engine.ListVolumesAsync(runLabel, timeout.Token).ConfigureAwait(false);
            found += volumes.Count;
            removed += await RemoveAllAsync(volumes, engine.RemoveVolumeAsync, "volume", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or System.Text.Json.JsonException)
        {
            // The engine is busy or restarting: the next pass tries again.
            await log.WriteLineAsync($"containertest-reaper: sweeping run {runId}: {ex.Message}").ConfigureAwait(false);
            found++;
        }

        return (found, removed);
    }

    private async Task<int> RemoveAllAsync(IEnumerable<string> ids, Func<string, CancellationToken, Task<bool>> remove, string what, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(ids.Select(async id =>
        {
            var gone = await remove(id, cancellationToken).ConfigureAwait(false);
            await log.WriteLineAsync($"containertest-reaper: {(gone ? "removed" : "could not yet remove")} {what} {id[..Math.Min(12, id.Length)]} of run {runId}").ConfigureAwait(false);
            return gone;
        })).ConfigureAwait(false);
        return results.Count(gone => gone);
    }
}
