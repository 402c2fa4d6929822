namespace ContainerTest.ContainerRuntime.Docker;

using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// One job's life in one container: create, copy layers in, attach, start, wait (with the
/// timeout), read the exit state, and remove the container — on every path.
/// </summary>
internal sealed class DockerJobRun(DockerClient client, JobSpec spec, IReadOnlySet<string> bakedPaths, string jobId, string runId, NetworkAttachment network, IJobObserver? observer, LiveContainers live, OutOfMemoryWatch oomWatch)
{
    /// <summary>How long to keep reading output after the container stopped (the engine may still be flushing it).</summary>
    private static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(5);

    private readonly BoundedOutputBuffer stdout = new(spec.OutputLimitBytes);
    private readonly BoundedOutputBuffer stderr = new(spec.OutputLimitBytes);
    private string? containerId;
    private DateTimeOffset startedAt;

    public async Task<JobResult> RunAsync(CancellationToken cancellationToken)
    {
        startedAt = DateTimeOffset.UtcNow;
        try
        {
            return await RunInContainerAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Result(TerminationReason.Cancelled, exitCode: null);
        }
        finally
        {
            await RemoveContainerAsync().ConfigureAwait(false);
        }
    }

    private async Task<JobResult> RunInContainerAsync(CancellationToken cancellationToken)
    {
        try
        {
            var created = await client.Containers.CreateContainerAsync(
                ContainerSpecTranslator.ToCreateParameters(spec, bakedPaths, jobId, runId, network), cancellationToken).ConfigureAwait(false);
            containerId = created.ID;
            live.Add(created.ID);
        }
        catch (DockerApiException ex) when (ex is not DockerImageNotFoundException)
        {
            return FailedToStart($"The engine refused to create the container: {ApiMessage(ex)}");
        }

        foreach (var layer in spec.Layers)
        {
            if (layer is HostDirectoryLayer { Access: LayerAccess.ReadOnly } || (layer is HostDirectoryLayer baked && bakedPaths.Contains(baked.ContainerPath)))
            {
                continue; // bind-mounted at create time, or already in the image (CopyOnWriteImages)
            }

            await LayerCopy.IntoAsync(client, containerId!, layer, spec.User, fromRoot: false, cancellationToken).ConfigureAwait(false);
        }

        using var attached = await client.Containers.AttachContainerAsync(
            containerId,
            new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true, Stdin = spec.StopWhenOwnerExits },
            cancellationToken).ConfigureAwait(false);
        using var readerStop = new CancellationTokenSource();
        var reading = ReadOutputAsync(attached, readerStop.Token);

        try
        {
            await client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            await readerStop.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(false);
            return FailedToStart($"The container did not start: {ApiMessage(ex)}");
        }

        startedAt = DateTimeOffset.UtcNow;
        observer?.OnStarted(jobId, containerId);

        var (termination, exitCode) = await WaitForExitAsync(cancellationToken).ConfigureAwait(false);

        // The attach stream ends by itself once the container has stopped; bound the wait anyway.
        if (await Task.WhenAny(reading, Task.Delay(OutputDrainTimeout, CancellationToken.None)).ConfigureAwait(false) != reading)
        {
            await readerStop.CancelAsync().ConfigureAwait(false);
        }

        await reading.ConfigureAwait(false);

        // A kill by the kernel's OOM killer shows as exit 137; give its event a moment to arrive.
        var grace = exitCode == 137 ? TimeSpan.FromSeconds(2) : TimeSpan.Zero;
        if (termination == TerminationReason.Exited && spec.Limits.MemoryBytes is not null
            && await oomWatch.WasKilledAsync(containerId, grace).ConfigureAwait(false))
        {
            termination = TerminationReason.OutOfMemory;
        }

        oomWatch.Forget(containerId);
        return Result(termination, exitCode);
    }

    private async Task<(TerminationReason Termination, int? ExitCode)> WaitForExitAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (spec.Timeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        try
        {
            var exit = await client.Containers.WaitContainerAsync(containerId!, timeout.Token).ConfigureAwait(false);
            return (TerminationReason.Exited, (int)exit.StatusCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await KillAsync().ConfigureAwait(false);
            return (TerminationReason.TimedOut, null);
        }
        catch (OperationCanceledException)
        {
            await KillAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ReadOutputAsync(MultiplexedStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        try
        {
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read.EOF)
                {
                    return;
                }

                var channel = read.Target == MultiplexedStream.TargetStream.StandardError ? OutputChannel.Stderr : OutputChannel.Stdout;
                var chunk = buffer.AsSpan(0, read.Count);
                (channel == OutputChannel.Stderr ? stderr : stdout).Append(chunk);
                observer?.OnOutput(jobId, channel, chunk);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The container is gone or we stopped listening: what was read is kept.
        }
    }

    private Task KillAsync() => ContainerEnd.KillAsync(client, containerId!);

    private Task RemoveContainerAsync() => ContainerEnd.RemoveAsync(client, containerId, live);

    private JobResult FailedToStart(string cause) => Result(TerminationReason.FailedToStart, exitCode: null) with { FailureCause = cause };

    private JobResult Result(TerminationReason termination, int? exitCode) => new()
    {
        JobId = jobId,
        InstanceId = containerId,
        Termination = termination,
        ExitCode = exitCode,
        Stdout = stdout.ToCapturedOutput(),
        Stderr = stderr.ToCapturedOutput(),
        StartedAt = startedAt,
        EndedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>The engine's own message in an error response (its JSON "message"), or the raw body.</summary>
    internal static string ApiMessage(DockerApiException ex)
    {
        var body = ex.ResponseBody?.Trim();
        if (body is { Length: > 0 } && body.StartsWith('{'))
        {
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(body);
                if (json.RootElement.TryGetProperty("message", out var message))
                {
                    return message.GetString() ?? body;
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // fall through to the raw body
            }
        }

        return string.IsNullOrEmpty(body) ? ex.Message : body;
    }
}
