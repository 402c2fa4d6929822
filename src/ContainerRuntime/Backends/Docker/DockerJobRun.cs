namespace ContainerTest.ContainerRuntime.Backends.Docker;

using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// One job's life in one container, in two phases: <see cref="StartAsync"/> creates it, copies
/// its layers in, attaches and starts it; <see cref="FinishAsync"/> hands the job its input,
/// waits for it (with the timeout), and reads its exit state. A warm pool runs the first phase
/// ahead of time, <see cref="RunAsync"/> runs both at once. <see cref="RemoveAsync"/> removes the
/// container, and is called on every path.
/// </summary>
internal sealed class DockerJobRun(DockerClient client, JobSpec spec, IReadOnlySet<string> bakedPaths, string jobId, string runId, NetworkAttachment network, LiveContainers live, ContainerExitWatch exitWatch) : IDisposable
{
    /// <summary>How long to keep reading output after the container stopped (the engine may still be flushing it).</summary>
    private static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(5);

    private readonly BoundedOutputBuffer stdout = new(spec.OutputLimitBytes);
    private readonly BoundedOutputBuffer stderr = new(spec.OutputLimitBytes);
    private readonly CancellationTokenSource readerStop = new();
    private MultiplexedStream? attached;
    private Task reading = Task.CompletedTask;
    private IJobObserver? observer;
    private string? containerId;
    private DateTimeOffset startedAt = DateTimeOffset.UtcNow;

    public string JobId => jobId;

    /// <summary>How long a container's creation may take before it is given up on (an engine that stopped answering).</summary>
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The container's id, once created.</summary>
    public string? ContainerId => containerId;

    /// <summary>Sends output to <paramref name="jobObserver"/> from the first byte (before <see cref="StartAsync"/>).</summary>
    public void ObserveFromStart(IJobObserver jobObserver) => observer = jobObserver;

    /// <summary>Writes to the started container's stdin, leaving it open. Not thread-safe: one writer at a time.</summary>
    /// <exception cref="IOException">The container's process has ended.</exception>
    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var buffer = bytes.ToArray();
        await attached!.WriteAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Both phases, then removal.</summary>
    public async Task<JobResult> RunAsync(IJobObserver? jobObserver, CancellationToken cancellationToken)
    {
        observer = jobObserver; // from the first byte: nothing runs before its job here
        try
        {
            return await StartAsync(cancellationToken).ConfigureAwait(false)
                ?? await FinishAsync(spec.StandardInput, jobObserver, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Result(TerminationReason.Cancelled, exitCode: null);
        }
        finally
        {
            await RemoveAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Creates and starts the container, its output read from the start. Returns null when it
    /// runs, or the result of a job that could not start.
    /// </summary>
    public async Task<JobResult?> StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Not cancelled midway: the engine may finish a create whose request was given up on,
            // and a container nobody recorded is never removed (found left "Created" after a pool
            // was disposed while filling). Cancellation is honoured once the id is known.
            using var createTimeout = new CancellationTokenSource(CreateTimeout);
            var created = await client.Containers.CreateContainerAsync(
                ContainerSpecTranslator.ToCreateParameters(spec, bakedPaths, jobId, runId, network, client.Options.Endpoint), createTimeout.Token).ConfigureAwait(false);
            containerId = created.ID;
            live.Add(created.ID);
            exitWatch.Track(created.ID);
            cancellationToken.ThrowIfCancellationRequested();
        }
        catch (DockerApiException ex) when (ex is not DockerImageNotFoundException)
        {
            return FailedToStart($"The engine refused to create the container: {ApiMessage(ex)}");
        }

        foreach (var layer in spec.Layers.Where(l => LayerCopy.IsNeeded(l, bakedPaths)))
        {
            await LayerCopy.IntoAsync(client, containerId, layer, spec.User, fromRoot: false, cancellationToken).ConfigureAwait(false);
        }

        attached = await client.Containers.AttachContainerAsync(
            containerId,
            new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true, Stdin = ContainerSpecTranslator.TakesStdin(spec) },
            cancellationToken).ConfigureAwait(false);
        reading = ReadOutputAsync(attached, readerStop.Token);

        try
        {
            await client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            await StopReadingAsync().ConfigureAwait(false);
            return FailedToStart($"The container did not start: {ApiMessage(ex)}");
        }

        return null;
    }

    /// <summary>
    /// Hands the started job its input (the job's time starts now), waits for it to end, and
    /// returns its result. Output that arrived before is in the result but was not observed.
    /// </summary>
    public async Task<JobResult> FinishAsync(ReadOnlyMemory<byte>? input, IJobObserver? jobObserver, CancellationToken cancellationToken)
    {
        observer = jobObserver;
        startedAt = DateTimeOffset.UtcNow;
        observer?.OnStarted(jobId, containerId!);
        if (input is { } bytes)
        {
            await WriteInputAsync(bytes, cancellationToken).ConfigureAwait(false);
        }

        var (termination, exitCode) = await WaitForExitAsync(cancellationToken).ConfigureAwait(false);

        // The attach stream ends by itself once the container has stopped; bound the wait anyway.
        if (await Task.WhenAny(reading, Task.Delay(OutputDrainTimeout, CancellationToken.None)).ConfigureAwait(false) != reading)
        {
            await readerStop.CancelAsync().ConfigureAwait(false);
        }

        await reading.ConfigureAwait(false);

        // Killed (SIGKILL: exit 137) with a memory limit: by the OOM killer when an oom event came.
        // A job whose child was killed for memory but which then ended by itself has exited.
        if (termination == TerminationReason.Exited && exitCode == 137 && spec.Limits.MemoryBytes is not null
            && await exitWatch.WasKilledAsync(containerId!).ConfigureAwait(false))
        {
            termination = TerminationReason.OutOfMemory;
        }

        return Result(termination, exitCode);
    }

    /// <summary>The result of a job cancelled before or while it ran.</summary>
    public JobResult Cancelled() => Result(TerminationReason.Cancelled, exitCode: null);

    /// <summary>Stops reading, and removes the container (killing it if it still runs).</summary>
    public async Task RemoveAsync()
    {
        await StopReadingAsync().ConfigureAwait(false);
        await ContainerEnd.RemoveAsync(client, containerId, live, exitWatch).ConfigureAwait(false);

        Dispose();
    }

    /// <summary>Releases the attach stream (not the container: that is <see cref="RemoveAsync"/>).</summary>
    public void Dispose()
    {
        attached?.Dispose();
        readerStop.Dispose();
    }

    private async Task WriteInputAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = input.ToArray();
            await attached!.WriteAsync(bytes, 0, bytes.Length, cancellationToken).ConfigureAwait(false);
            if (!spec.StopWhenOwnerExits)
            {
                attached.CloseWrite();
            }
        }
        catch (IOException)
        {
            // The process already ended (it failed at start-up): its exit and output tell why.
        }
    }

    private async Task StopReadingAsync()
    {
        if (!reading.IsCompleted)
        {
            await readerStop.CancelAsync().ConfigureAwait(false);
        }

        await reading.ConfigureAwait(false);
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
            return (TerminationReason.Exited, await exitWatch.WaitForExitAsync(containerId!, timeout.Token).ConfigureAwait(false));
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

    /// <summary>Kills the container's process (the container stays until <see cref="RemoveAsync"/>).</summary>
    public Task KillAsync() => containerId is null ? Task.CompletedTask : ContainerEnd.KillAsync(client, containerId);

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
