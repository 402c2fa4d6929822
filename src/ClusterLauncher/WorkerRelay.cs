namespace ContainerTest.ClusterLauncher;

using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

/// <summary>
/// Worker mode: takes the worker's create request from the host, starts the worker container on
/// this node's engine (attached, so its stdin and stdout are the launcher's to carry), relays
/// both ways, and reports its end. The worker never outlives the relay: it is killed and removed
/// when the host says so, when the host goes silent or away, and when Swarm stops this launcher
/// (a drained node, a removed service) — whatever the launcher was doing then; were the launcher
/// itself killed outright, the worker's stdin closes and its supervisor ends it (it was created
/// with auto-remove).
/// </summary>
internal sealed class WorkerRelay(LauncherEnvironment environment, EngineApi engine) : IDisposable
{
    /// <summary>How long the worker's last output may take to arrive after it ended.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource stopping = new();

    /// <summary>Runs until the worker is gone; returns the launcher's exit status.</summary>
    public async Task<int> RunAsync()
    {
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopping.Cancel();
        });
        RelayConnection host;
        try
        {
            host = await HostLink.ConnectAsync(environment, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return 0;
        }

        await using (host.ConfigureAwait(false))
        {
            string? id = null;
            NodeGateways? allowList = null;
            var ended = false;
            try
            {
                var first = await host.ReadAsync(stopping.Token).ConfigureAwait(false);
                if (first is not { Kind: RelayFrame.Plan } planFrame)
                {
                    return 0; // the host went away, or changed its mind, before there was anything to start
                }

                var plan = WorkerPlan.Parse(planFrame.Payload);
                var request = plan.CreateRequest;
                var env = request["Env"] as JsonArray ?? [];
                env.Add($"{LauncherEnvironment.NodeVariable}={environment.Node}");
                request["Env"] = env;
                if (NodeEngineSocket.Apply(request, plan.EngineSocketPaths ?? []) is { } refusal)
                {
                    await EndAsync(host, new WorkerEnded { FailedToStart = $"node {environment.Node} cannot give the worker its engine: {refusal}" }).ConfigureAwait(false);
                    return 0;
                }

                await NodeGateways.SweepAsync(engine, stopping.Token).ConfigureAwait(false);
                if (plan.AllowList is { } allow)
                {
                    try
                    {
                        allowList = await NodeGateways.StartAsync(engine, allow, request, stopping.Token).ConfigureAwait(false);
                    }
                    catch (EngineException ex)
                    {
                        await EndAsync(host, new WorkerEnded { FailedToStart = $"the allow network policy could not be set up on node {environment.Node}: {ex.Message}" }).ConfigureAwait(false);
                        return 0;
                    }
                }

                try
                {
                    id = await engine.CreateContainerAsync(request, stopping.Token).ConfigureAwait(false);
                }
                catch (EngineException ex)
                {
                    await EndAsync(host, new WorkerEnded { FailedToStart = $"the engine of node {environment.Node} refused to create the worker container: {ex.Message}" }).ConfigureAwait(false);
                    return 0;
                }

                await using var attached = await EngineAttach.OpenAsync(id, stopping.Token).ConfigureAwait(false);
                var exit = await engine.WaitForRemovalAsync(id, stopping.Token).ConfigureAwait(false);
                try
                {
                    await engine.StartContainerAsync(id, stopping.Token).ConfigureAwait(false);
                }
                catch (EngineException ex)
                {
                    await EndAsync(host, new WorkerEnded { FailedToStart = $"the engine of node {environment.Node} did not start the worker container: {ex.Message}" }).ConfigureAwait(false);
                    return 0;
                }

                await host.WriteAsync(RelayFrame.Started, new WorkerStarted(id, environment.Node).ToUtf8Json(), stopping.Token).ConfigureAwait(false);
                var output = PumpOutputAsync(attached, host);
                var input = PumpInputAsync(host, attached, stopping.Token);
                var stopped = Task.Delay(Timeout.Infinite, stopping.Token);
                var outcome = await Task.WhenAny(exit, input, stopped).ConfigureAwait(false);
                if (outcome == exit)
                {
                    await Task.WhenAny(output, Task.Delay(DrainTimeout)).ConfigureAwait(false);
                    await EndAsync(host, new WorkerEnded { ExitCode = await exit.ConfigureAwait(false) }).ConfigureAwait(false);
                    ended = true;
                }
                else if (outcome == stopped || stopping.IsCancellationRequested)
                {
                    // (Swarm's SIGTERM ends the input pump too: whichever is seen first, it is Swarm's stop.)
                    throw new OperationCanceledException(stopping.Token);
                }
                else
                {
                    await EndAsync(host, new WorkerEnded { Stopped = "the test host asked for it" }).ConfigureAwait(false); // or is gone: then nobody reads it
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                await EndAsync(host, new WorkerEnded { Stopped = $"Swarm stopped its launcher on node {environment.Node} (the node is being drained, or the service was removed)" }).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is EngineException or HttpRequestException or IOException or TimeoutException or InvalidDataException)
            {
                await EndAsync(host, new WorkerEnded { FailedToStart = $"the launcher on node {environment.Node} failed: {ex.Message}" }).ConfigureAwait(false);
            }
            finally
            {
                if (id is not null && !ended)
                {
                    await engine.KillAndRemoveAsync(id).ConfigureAwait(false);
                }

                if (allowList is not null)
                {
                    await allowList.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        return 0;
    }

    /// <inheritdoc />
    public void Dispose() => stopping.Dispose();

    private static async Task EndAsync(RelayConnection host, WorkerEnded ended)
    {
        try
        {
            await host.WriteAsync(RelayFrame.Ended, ended.ToUtf8Json()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The host is gone: nobody is left to tell.
        }
    }

    /// <summary>The worker's output, as frames to the host, until it ends.</summary>
    private static async Task PumpOutputAsync(EngineAttach attached, RelayConnection host)
    {
        try
        {
            while (await attached.ReadAsync(CancellationToken.None).ConfigureAwait(false) is { } chunk)
            {
                await host.WriteAsync(chunk.Stream == 2 ? RelayFrame.Stderr : RelayFrame.Stdout, chunk.Bytes).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Either side closed: the end is decided elsewhere.
        }
    }

    /// <summary>The host's bytes, to the worker's stdin, until the host asks for the end or is gone.</summary>
    private static async Task PumpInputAsync(RelayConnection host, EngineAttach attached, CancellationToken cancellationToken)
    {
        try
        {
            while (await host.ReadAsync(cancellationToken).ConfigureAwait(false) is { } frame)
            {
                switch (frame.Kind)
                {
                    case RelayFrame.Input:
                        await attached.WriteAsync(frame.Payload, CancellationToken.None).ConfigureAwait(false);
                        break;
                    case RelayFrame.Kill:
                        return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidDataException or ObjectDisposedException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // Gone or silent (or Swarm stops us): treated as a request to end.
        }
    }
}
