namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Threading.Channels;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// Containers created and started ahead of need from one job template, each waiting for its
/// input on stdin (an agent that has already loaded what it can before it knows its job). Each
/// is used for exactly one job and then removed, like any other: a pool trades no isolation
/// away, it only takes the engine's create-and-start work and the process's start-up off the
/// path between a job being asked for and its running. At most <c>depth</c> containers wait at
/// a time, and no more than <c>capacity</c> are ever created; disposing the pool removes those
/// nobody took.
/// </summary>
public sealed class WarmJobPool : IJobPool
{
    private readonly Func<DockerJobRun> newRun;
    private readonly Func<Exception, string, Exception> engineFailure;
    private readonly Func<ValueTask> release;
    private readonly Channel<Warm> ready = Channel.CreateUnbounded<Warm>();
    private readonly SemaphoreSlim vacancies;

    // Starting a container is CPU work of the engine (runc, the shim) and then of the process
    // starting in it: more at once than there are cores only delays the first to be ready. The
    // very first starts alone, so the first job of a run has its container as soon as can be;
    // then as many start at once as there are cores.
    private static readonly int Cores = Math.Max(1, Environment.ProcessorCount);
    private readonly SemaphoreSlim startSlots = new(1);
    private int firstStarted;
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> starting = [];
    private readonly Task filling;
    private readonly int capacity;
    private int remaining;
    private int taken;
    private int disposed;

    internal WarmJobPool(Func<DockerJobRun> newRun, int depth, int capacity, Func<Exception, string, Exception> engineFailure, Func<ValueTask> release)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        this.newRun = newRun;
        this.engineFailure = engineFailure;
        this.release = release;
        vacancies = new SemaphoreSlim(depth);
        this.capacity = capacity;
        remaining = capacity;
        filling = Task.Run(FillAsync, CancellationToken.None);
    }

    /// <inheritdoc />
    public string InstanceKind => "container";

    /// <summary>
    /// Takes a waiting container (or the next one to be ready), hands it <paramref name="input"/>
    /// and runs it to its end, as <see cref="IJobBackend.RunAsync"/> does; its container is removed.
    /// </summary>
    /// <exception cref="InvalidOperationException">More jobs were asked for than the pool's capacity.</exception>
    public async Task<JobResult> RunAsync(ReadOnlyMemory<byte> input, IJobObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (Interlocked.Increment(ref taken) > capacity)
        {
            throw new InvalidOperationException($"The pool was made for {capacity} job(s); no more containers will be ready.");
        }

        var warm = await ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        vacancies.Release();
        try
        {
            if (warm.Error is not null)
            {
                throw engineFailure(warm.Error, warm.Run.JobId);
            }

            if (warm.FailedToStart is { } failed)
            {
                return failed;
            }

            try
            {
                return await warm.Run.FinishAsync(input, observer, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return warm.Run.Cancelled();
            }
            catch (Exception ex) when (engineFailure(ex, warm.Run.JobId) is var mapped && !ReferenceEquals(mapped, ex))
            {
                throw mapped;
            }
        }
        finally
        {
            await warm.Run.RemoveAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops filling and removes every container nobody took.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await filling.ConfigureAwait(false);
        Task[] pending;
        lock (starting)
        {
            pending = [.. starting];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        ready.Writer.TryComplete();
        var unused = new List<Task>();
        while (ready.Reader.TryRead(out var warm))
        {
            unused.Add(warm.Run.RemoveAsync());
        }

        await Task.WhenAll(unused).ConfigureAwait(false);
        await release().ConfigureAwait(false);
        stop.Dispose();
        vacancies.Dispose();
        startSlots.Dispose();
    }

    private async Task FillAsync()
    {
        try
        {
            while (Volatile.Read(ref remaining) > 0)
            {
                await vacancies.WaitAsync(stop.Token).ConfigureAwait(false);
                await startSlots.WaitAsync(stop.Token).ConfigureAwait(false);
                Interlocked.Decrement(ref remaining);
                var task = StartOneAsync();
                lock (starting)
                {
                    starting.RemoveAll(t => t.IsCompleted);
                    starting.Add(task);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // disposed: nothing more to fill
        }
    }

    private async Task StartOneAsync()
    {
        var run = newRun();
        try
        {
            JobResult? failed;
            try
            {
                failed = await run.StartAsync(stop.Token).ConfigureAwait(false);
            }
            finally
            {
                startSlots.Release(Interlocked.Exchange(ref firstStarted, 1) == 0 ? Cores : 1);
            }

            ready.Writer.TryWrite(new Warm(run, failed, null));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await run.RemoveAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Given to whoever takes this container: the job it was meant for reports the cause.
            ready.Writer.TryWrite(new Warm(run, null, ex));
        }
    }

    private sealed record Warm(DockerJobRun Run, JobResult? FailedToStart, Exception? Error);
}
