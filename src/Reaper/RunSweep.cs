namespace ContainerTest.Reaper;

using System.Diagnostics;
using ContainerTest.ContainerRuntime;

/// <summary>
/// Removes everything labelled with one run's id — containers first (killed if they run), then
/// networks and volumes, which are free only once those are gone — and keeps looking until
/// nothing is left and nothing new has turned up for a while: a create request the run sent just
/// before it died may still complete in the engine after the first pass.
/// </summary>
internal sealed class RunSweep(EngineClient engine, string runId, string selfId, TextWriter log)
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);

    private readonly string runLabel = $"{ContainerLabels.RunId}={runId}";
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> removed = new(StringComparer.Ordinal);

    /// <summary>
    /// Sweeps until a pass finds nothing and <paramref name="quiet"/> has passed since anything new
    /// turned up (a resource still being removed is not new), or <paramref name="limit"/> in all.
    /// </summary>
    /// <returns>How many resources were removed.</returns>
    public async Task<int> RunAsync(TimeSpan quiet, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var lastNew = TimeSpan.Zero;
        while (true)
        {
            var (found, fresh) = await PassAsync().ConfigureAwait(false);
            if (fresh > 0)
            {
                lastNew = clock.Elapsed;
            }

            if ((found == 0 && clock.Elapsed - lastNew >= quiet) || clock.Elapsed >= limit)
            {
                return removed.Count;
            }

            await Task.Delay(Pause).ConfigureAwait(false);
        }
    }

    /// <summary>One pass: how much was found, and how much of it for the first time.</summary>
    private async Task<(int Found, int Fresh)> PassAsync()
    {
        var found = 0;
        var before = seen.Count;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var containers = (await engine.ListContainersAsync([runLabel], status: null, timeout.Token).ConfigureAwait(false))
                .Where(c => !c.Id.StartsWith(selfId, StringComparison.Ordinal))
                .ToList();
            found += containers.Count;
            seen.UnionWith(containers.Select(c => c.Id));
            await RemoveAllAsync(containers.Select(c => c.Id), engine.RemoveContainerAsync, "container", timeout.Token).ConfigureAwait(false);

            var networks = await engine.ListNetworksAsync(runLabel, timeout.Token).ConfigureAwait(false);
            found += networks.Count;
            seen.UnionWith(networks);
            await RemoveAllAsync(networks, engine.RemoveNetworkAsync, "network", timeout.Token).ConfigureAwait(false);

            var volumes = await engine.ListVolumesAsync(runLabel, timeout.Token).ConfigureAwait(false);
            found += volumes.Count;
            seen.UnionWith(volumes);
            await RemoveAllAsync(volumes, engine.RemoveVolumeAsync, "volume", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or System.Text.Json.JsonException)
        {
            // The engine is busy or restarting: the next pass tries again.
            await log.WriteLineAsync($"containertest-reaper: sweeping run {runId}: {ex.Message}").ConfigureAwait(false);
            found++;
        }

        return (found, seen.Count - before);
    }

    private async Task RemoveAllAsync(IEnumerable<string> ids, Func<string, CancellationToken, Task<bool>> remove, string what, CancellationToken cancellationToken)
    {
        var gone = await Task.WhenAll(ids.Select(async id =>
        {
            var isGone = await remove(id, cancellationToken).ConfigureAwait(false);
            if (!removed.Contains(id))
            {
                await log.WriteLineAsync($"containertest-reaper: {(isGone ? "removed" : "could not yet remove")} {what} {id[..Math.Min(12, id.Length)]} of run {runId}").ConfigureAwait(false);
            }

            return isGone ? id : null;
        })).ConfigureAwait(false);
        removed.UnionWith(gone.OfType<string>());
    }
}
