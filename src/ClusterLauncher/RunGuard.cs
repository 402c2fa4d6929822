namespace ContainerTest.ClusterLauncher;

using System.Runtime.InteropServices;
using ContainerTest.ContainerRuntime;
using ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

/// <summary>
/// Guard mode (one per run, on a manager node): stays connected to the test host, and when the
/// host goes away without having removed its run (killed, crashed, its machine gone) removes
/// every service and secret labelled with the run's id from the cluster, then its own service.
/// A host that ends its run normally removes everything itself and says so (<see cref="RelayFrame.Kill"/>).
/// </summary>
internal sealed class RunGuard(LauncherEnvironment environment, EngineApi engine)
{
    /// <summary>Runs until the host ends the run or is gone; returns the launcher's exit status.</summary>
    public async Task<int> RunAsync()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopped.TrySetResult();
        });
        await using var host = await HostLink.ConnectAsync(environment, CancellationToken.None).ConfigureAwait(false);
        var watching = WatchAsync(host);
        if (await Task.WhenAny(watching, stopped.Task).ConfigureAwait(false) == stopped.Task || await watching.ConfigureAwait(false))
        {
            return 0; // removed by the host, or told the run is over
        }

        await Console.Error.WriteLineAsync($"containertest guard: the test host of run {environment.RunId} is gone; removing the run's services and secrets.").ConfigureAwait(false);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var label = $"{ContainerLabels.RunId}={environment.RunId}";
        foreach (var id in await engine.ListAsync("services", [label], limit.Token).ConfigureAwait(false))
        {
            if (id != environment.ServiceId)
            {
                await TryRemoveAsync("services", id, limit.Token).ConfigureAwait(false);
            }
        }

        // Its own service goes last but one: the run's secret is in use by it (it is how the guard
        // proved itself), and a secret in use cannot be removed. Swarm then stops this task, with
        // the grace period to remove the secret in.
        if (environment.ServiceId is { } own)
        {
            await TryRemoveAsync("services", own, limit.Token).ConfigureAwait(false);
        }

        for (var attempt = 0; attempt < 20; attempt++)
        {
            var secrets = await engine.ListAsync("secrets", [label], limit.Token).ConfigureAwait(false);
            if (secrets.Count == 0)
            {
                break;
            }

            foreach (var id in secrets)
            {
                await TryRemoveAsync("secrets", id, limit.Token).ConfigureAwait(false);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), limit.Token).ConfigureAwait(false);
        }

        return 0;
    }

    private async Task TryRemoveAsync(string kind, string id, CancellationToken cancellationToken)
    {
        try
        {
            await engine.RemoveAsync(kind, id, cancellationToken).ConfigureAwait(false);
        }
        catch (EngineException ex)
        {
            await Console.Error.WriteLineAsync($"containertest guard: {kind} {id} could not be removed yet: {ex.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>True when the host said the run is over; false when it went away or silent.</summary>
    private static async Task<bool> WatchAsync(RelayConnection host)
    {
        try
        {
            while (await host.ReadAsync().ConfigureAwait(false) is { } frame)
            {
                if (frame.Kind == RelayFrame.Kill)
                {
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidDataException or System.Net.Sockets.SocketException)
        {
            // gone or silent
        }

        return false;
    }
}
