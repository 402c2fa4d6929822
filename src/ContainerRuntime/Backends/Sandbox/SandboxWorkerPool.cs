namespace ContainerTest.ContainerRuntime.Backends.Sandbox;

using System.Threading.Channels;
using ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// Jobs of one template, each in a fresh sandbox inside long-lived worker containers: the engine
/// makes a container per worker (as many as run at once plus those kept warm), not per job. A
/// worker holds one sandbox at a time, so the job in it has the worker's memory and process
/// limits to itself; as soon as a job ends, its worker makes the next job's sandbox and starts
/// its command, which waits for its input — that is what "warm" means here. Disposing the pool
/// removes every worker.
/// </summary>
public sealed class SandboxWorkerPool : IJobPool
{
    // Starting a worker is the engine's work and then .NET starting in it: more at once than
    // there are cores only delays the first to be ready (as for the container pool).
    private static readonly int Cores = Math.Max(1, Environment.ProcessorCount);

    private readonly IJobSessionHost host;
    private readonly JobSpec workerSpec;
    private readonly SandboxSpec sandbox;
    private readonly JobSpec template;
    private readonly Channel<Slot> ready = Channel.CreateUnbounded<Slot>();
    private readonly List<SandboxWorker> workers = [];
    private readonly List<Task> pending = [];
    private readonly CancellationTokenSource stop = new();
    private readonly int capacity;
    private readonly int workerCount;
    private Task filling = Task.CompletedTask;
    private int toWarm;
    private int taken;
    private int disposed;
    private Exception? broken;

    private SandboxWorkerPool(IJobSessionHost host, JobSpec template, JobSpec workerSpec, SandboxSpec sandbox, JobPoolOptions options)
    {
        this.host = host;
        this.template = template;
        this.workerSpec = workerSpec;
        this.sandbox = sandbox;
        capacity = options.Capacity;
        toWarm = options.Capacity;
        workerCount = Math.Max(1, Math.Min(options.Capacity, options.Parallelism + options.Depth));
    }

    /// <inheritdoc />
    public string InstanceKind => "sandbox";

    /// <summary>
    /// Starts the pool's first worker and waits until a trial sandbox has run in it (so that a
    /// machine where sandboxes cannot be made is known before any job depends on one); the other
    /// workers start in the background.
    /// </summary>
    /// <exception cref="SandboxUnavailableException">No sandbox can be made here; the message says why.</exception>
    /// <exception cref="ContainerRuntimeException">The engine or the image is at fault.</exception>
    public static async Task<SandboxWorkerPool> StartAsync(IJobSessionHost host, JobSpec template, JobPoolOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1);
        var assets = SandboxAssets.Layer ?? throw new SandboxUnavailableException(SandboxAssets.Missing);
        var (workerSpec, sandbox) = WorkerTemplate.Split(template, assets);
        var pool = new SandboxWorkerPool(host, template, workerSpec, sandbox, options);
        var first = await pool.StartWorkerAsync(cancellationToken).ConfigureAwait(false);
        pool.Adopt(first);
        pool.filling = Task.Run(pool.FillAsync, CancellationToken.None);
        return pool;
    }

    /// <inheritdoc />
    public async Task<JobResult> RunAsync(ReadOnlyMemory<byte> input, IJobObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (Interlocked.Increment(ref taken) > capacity)
        {
            throw new InvalidOperationException($"The pool was made for {capacity} job(s); no more sandboxes will be ready.");
        }

        SandboxWorker worker;
        try
        {
            worker = (await ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false)).Worker;
        }
        catch (OperationCanceledException)
        {
            return Cancelled();
        }
        catch (ChannelClosedException) when (Volatile.Read(ref broken) is { } cause)
        {
            throw cause;
        }

        try
        {
            return await worker.RunAsync(input, observer, template.Timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Adopt(worker); // its next sandbox, or its removal when no job is left for it
        }
    }

    /// <summary>Stops starting workers and removes every one.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await filling.ConfigureAwait(false);
        while (true)
        {
            // Workers being warmed, retired or replaced right now: their end is part of this one.
            Task[] inFlight;
            lock (pending)
            {
                inFlight = [.. pending.Where(t => !t.IsCompleted)];
            }

            if (inFlight.Length == 0)
            {
                break;
            }

            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }

        SandboxWorker[] all;
        lock (workers)
        {
            all = [.. workers];
            workers.Clear();
        }

        ready.Writer.TryComplete();
        await Task.WhenAll(all.Select(w => w.DisposeAsync().AsTask())).ConfigureAwait(false);
        stop.Dispose();
    }

    private static JobResult Cancelled() => new()
    {
        JobId = "cancelled",
        InstanceKind = "sandbox",
        Termination = TerminationReason.Cancelled,
        StartedAt = DateTimeOffset.UtcNow,
        EndedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Starts the workers beyond the first, as many at once as there are cores.</summary>
    private async Task FillAsync()
    {
        using var slots = new SemaphoreSlim(Cores);
        var starting = new List<Task>();
        try
        {
            for (var i = 1; i < workerCount && Volatile.Read(ref toWarm) > 0; i++)
            {
                await slots.WaitAsync(stop.Token).ConfigureAwait(false);
                starting.Add(Task.Run(
                    async () =>
                    {
                        try
                        {
                            Adopt(await StartWorkerAsync(stop.Token).ConfigureAwait(false));
                        }
                        catch (Exception)
                        {
                            // Disposed meanwhile, or one worker fewer: the jobs still run on the others (the first one works).
                        }
                        finally
                        {
                            slots.Release();
                        }
                    },
                    CancellationToken.None));
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }

        await Task.WhenAll(starting).ConfigureAwait(false);
    }

    private async Task<SandboxWorker> StartWorkerAsync(CancellationToken cancellationToken)
    {
        var worker = await SandboxWorker.StartAsync(
            host,
            workerSpec with { JobId = "w" + Guid.NewGuid().ToString("N")[..11] },
            sandbox,
            template.OutputLimitBytes,
            cancellationToken).ConfigureAwait(false);
        lock (workers)
        {
            if (Volatile.Read(ref disposed) == 0)
            {
                workers.Add(worker);
                return worker;
            }
        }

        await worker.DisposeAsync().ConfigureAwait(false);
        throw new OperationCanceledException(stop.Token);
    }

    /// <summary>
    /// Gives <paramref name="worker"/> its next job's sandbox and offers it, when a job is left
    /// that has no sandbox yet; otherwise removes it. A worker that went away is replaced.
    /// </summary>
    private void Adopt(SandboxWorker worker)
    {
        var adopting = Task.Run(() => AdoptAsync(worker), CancellationToken.None);
        lock (pending)
        {
            pending.RemoveAll(t => t.IsCompleted);
            pending.Add(adopting);
        }
    }

    private async Task AdoptAsync(SandboxWorker worker)
    {
        if (Volatile.Read(ref disposed) != 0)
        {
            await RetireAsync(worker).ConfigureAwait(false);
            return;
        }

        if (worker.IsLost)
        {
            var cause = worker.LostCause as ContainerRuntimeException;
            await RetireAsync(worker).ConfigureAwait(false);
            await ReplaceAsync(cause).ConfigureAwait(false);
            return;
        }

        if (Interlocked.Decrement(ref toWarm) < 0)
        {
            Interlocked.Increment(ref toWarm); // every job has its sandbox: this worker is done
            await RetireAsync(worker).ConfigureAwait(false);
            return;
        }

        try
        {
            await worker.WarmAsync("j" + Guid.NewGuid().ToString("N")[..11], stop.Token).ConfigureAwait(false);
            ready.Writer.TryWrite(new Slot(worker));
        }
        catch (Exception ex) when (ex is WorkerLostException or IOException or OperationCanceledException)
        {
            Interlocked.Increment(ref toWarm); // that job still needs a sandbox
            await RetireAsync(worker).ConfigureAwait(false);
            if (!stop.IsCancellationRequested)
            {
                await ReplaceAsync(ex is WorkerLostException { InnerException: ContainerRuntimeException environment } ? environment : null).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Starts a worker in place of one that went away. When the engine itself is gone
    /// (<paramref name="cause"/>), or no worker is left and none can be started, the pool is
    /// broken: every job waiting for a sandbox, and every later one, gets the reason.
    /// </summary>
    private async Task ReplaceAsync(ContainerRuntimeException? cause)
    {
        if (cause is BackendUnavailableException)
        {
            Break(cause);
            return;
        }

        try
        {
            Adopt(await StartWorkerAsync(stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // disposed
        }
        catch (Exception ex)
        {
            bool none;
            lock (workers)
            {
                none = workers.Count == 0;
            }

            if (none || ex is BackendUnavailableException)
            {
                Break(ex as ContainerRuntimeException ?? new ContainerRuntimeException($"No sandbox worker could be started in place of one that went away: {ex.Message}", RetryClass.Retryable, ex));
            }
        }
    }

    private void Break(Exception cause)
    {
        Interlocked.CompareExchange(ref broken, cause, null);
        ready.Writer.TryComplete();
    }

    private async Task RetireAsync(SandboxWorker worker)
    {
        lock (workers)
        {
            workers.Remove(worker);
        }

        try
        {
            await worker.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The engine failed us removing it: it keeps its labels, for the run's end and for `clean`.
        }
    }

    /// <summary>A warm worker.</summary>
    private sealed record Slot(SandboxWorker Worker);
}
