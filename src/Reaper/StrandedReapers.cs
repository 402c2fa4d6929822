namespace ContainerTest.Reaper;

using ContainerTest.ContainerRuntime;
using ContainerTest.ContainerRuntime.Backends.Docker.Reaper;

/// <summary>
/// Reapers whose run died between creating and starting them: a container still in the
/// <c>created</c> state well after its creation (a live run starts its reaper at once, before it
/// makes anything else, so such a run has nothing else on the engine). Nothing of a live run is
/// ever one of them; a run whose reaper was removed this way while it merely stalled makes another.
/// </summary>
internal static class StrandedReapers
{
    /// <summary>Removes stranded reapers every <see cref="ReaperProtocol.StrandedCheckInterval"/> until <paramref name="cancellationToken"/> fires.</summary>
    public static async Task WatchAsync(EngineClient engine, TextWriter log, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RemoveAsync(engine, log, cancellationToken).ConfigureAwait(false);
                await Task.Delay(ReaperProtocol.StrandedCheckInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or System.Text.Json.JsonException)
            {
                // The engine is busy: look again later.
            }
        }
    }

    private static async Task RemoveAsync(EngineClient engine, TextWriter log, CancellationToken cancellationToken)
    {
        var created = await engine.ListContainersAsync(
            [$"{ContainerLabels.Managed}=true", $"{ContainerLabels.Kind}={ReaperProtocol.KindLabelValue}"],
            status: "created",
            cancellationToken).ConfigureAwait(false);

        // The engine's clock is this container's clock (same kernel); its times are whole seconds.
        var before = DateTimeOffset.UtcNow - ReaperProtocol.StrandedAfter - TimeSpan.FromSeconds(1);
        foreach (var stranded in created.Where(c => c.Created < before))
        {
            // Not forced: should its run have started it after all, meanwhile, it stays.
            if (await engine.RemoveStoppedContainerAsync(stranded.Id, cancellationToken).ConfigureAwait(false))
            {
                await log.WriteLineAsync($"containertest-reaper: removed the never-started reaper {stranded.Id[..12]} of a run that died creating it").ConfigureAwait(false);
            }
        }
    }
}
