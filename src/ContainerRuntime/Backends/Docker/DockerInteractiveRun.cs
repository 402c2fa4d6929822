namespace ContainerTest.ContainerRuntime.Backends.Docker;

using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// One interactive job: its container gets a pseudo-terminal tied to the user's terminal
/// (keystrokes in, output out, window size followed) and is removed on every path.
/// </summary>
internal sealed class DockerInteractiveRun(DockerClient client, JobSpec spec, IReadOnlySet<string> bakedPaths, string jobId, string runId, NetworkAttachment network, LiveContainers live, ContainerExitWatch exitWatch)
{
    private string? containerId;

    public async Task<JobResult> RunAsync(IJobTerminal terminal, string kind, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        try
        {
            var (termination, exitCode, cause) = await RunInContainerAsync(terminal, kind, cancellationToken).ConfigureAwait(false);
            return new JobResult { JobId = jobId, InstanceId = containerId, Termination = termination, ExitCode = exitCode, FailureCause = cause, StartedAt = startedAt, EndedAt = DateTimeOffset.UtcNow };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new JobResult { JobId = jobId, InstanceId = containerId, Termination = TerminationReason.Cancelled, StartedAt = startedAt, EndedAt = DateTimeOffset.UtcNow };
        }
        finally
        {
            await RemoveContainerAsync().ConfigureAwait(false);
        }
    }

    private async Task<(TerminationReason, int?, string?)> RunInContainerAsync(IJobTerminal terminal, string kind, CancellationToken cancellationToken)
    {
        var parameters = ContainerSpecTranslator.ToCreateParameters(spec with { Tty = true, StopWhenOwnerExits = false }, bakedPaths, jobId, runId, network, client.Options.Endpoint);
        parameters.Labels[ContainerLabels.Kind] = kind;
        parameters.AttachStdin = true;
        parameters.OpenStdin = true;
        parameters.StdinOnce = true;
        try
        {
            containerId = (await client.Containers.CreateContainerAsync(parameters, cancellationToken).ConfigureAwait(false)).ID;
            live.Add(containerId);
            exitWatch.Track(containerId);
        }
        catch (DockerApiException ex) when (ex is not DockerImageNotFoundException)
        {
            return (TerminationReason.FailedToStart, null, $"The engine refused to create the container: {DockerJobRun.ApiMessage(ex)}");
        }

        foreach (var layer in spec.Layers.Where(l => LayerCopy.IsNeeded(l, bakedPaths)))
        {
            await LayerCopy.IntoAsync(client, containerId, layer, spec.User, fromRoot: false, cancellationToken).ConfigureAwait(false);
        }

        using var attached = await client.Containers.AttachContainerAsync(
            containerId,
            new ContainerAttachParameters { Stream = true, Stdin = true, Stdout = true, Stderr = true },
            cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var output = CopyOutputAsync(attached, terminal.Output, stop.Token);
        try
        {
            await client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await output.ConfigureAwait(false);
            return (TerminationReason.FailedToStart, null, $"The container did not start: {DockerJobRun.ApiMessage(ex)}");
        }

        async void OnResized(object? sender, EventArgs e) => await ResizeAsync(terminal.Size).ConfigureAwait(false);
        terminal.Resized += OnResized;
        try
        {
            await ResizeAsync(terminal.Size).ConfigureAwait(false);

            // The input pump blocks in a read of the user's terminal; it is left behind when the job ends.
            _ = Task.Run(() => CopyInputAsync(terminal.Input, attached, stop.Token), CancellationToken.None);
            var exit = await WaitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAny(output, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
            return (TerminationReason.Exited, exit, null);
        }
        finally
        {
            terminal.Resized -= OnResized;
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task<int?> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await exitWatch.WaitForExitAsync(containerId!, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ResizeAsync(TerminalSize size)
    {
        if (size.Columns <= 0 || size.Rows <= 0)
        {
            return;
        }

        try
        {
            await client.Containers.ResizeContainerTtyAsync(containerId!, new ContainerResizeParameters { Width = size.Columns, Height = size.Rows }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException)
        {
            // The container stopped meanwhile: nothing left to resize.
        }
    }

    private static async Task CopyOutputAsync(MultiplexedStream stream, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read.EOF)
                {
                    return;
                }

                await destination.WriteAsync(buffer.AsMemory(0, read.Count), cancellationToken).ConfigureAwait(false);
                await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The container is gone or the session ended.
        }
    }

    private static async Task CopyInputAsync(Stream source, MultiplexedStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var count = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (count == 0)
                {
                    stream.CloseWrite();
                    return;
                }

                await stream.WriteAsync(buffer, 0, count, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The session ended.
        }
    }

    private Task KillAsync() => ContainerEnd.KillAsync(client, containerId!);

    private Task RemoveContainerAsync() => ContainerEnd.RemoveAsync(client, containerId, live, exitWatch);
}
