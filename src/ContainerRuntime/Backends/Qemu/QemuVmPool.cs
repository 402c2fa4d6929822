namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Diagnostics;
using System.Runtime.Versioning;
using System.Threading.Channels;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// Jobs of one template, each in a VM of its own that runs exactly one job and is then killed.
/// When the pool starts, one VM boots, builds the job's file system and starts the command; once
/// the command waits for its input (it has loaded what it can, and reads stdin), the VM's whole
/// state is saved to a file. Every job's VM is then started from that state — already booted,
/// its process already waiting — and only the job's turn remains: fresh randomness, the clock,
/// the host name, the shared folders, the input. VMs are made ready ahead (restored and paused,
/// which costs no CPU while they wait), like the warm pool of containers; the first job gets the
/// saved VM itself. A command that never waits for its input (or
/// <see cref="QemuBackendOptions.Snapshots"/> off) makes the pool boot every job's VM instead, ahead
/// of need. Disposing the pool kills every VM it made and removes the saved state.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class QemuVmPool : IJobPool
{
    /// <summary>How long a template's command may take to wait for its input (a .NET start under TCG on a loaded machine is slow).</summary>
    private static readonly TimeSpan WaitForInputTimeout = TimeSpan.FromMinutes(3);

    private static readonly int Cores = Math.Max(1, Environment.ProcessorCount);
    private readonly VmMachine machine;
    private readonly JobSpec template;
    private readonly VmLayout layout;
    private readonly string folder;
    private readonly Channel<Prepared> ready = Channel.CreateUnbounded<Prepared>();
    private readonly SemaphoreSlim vacancies;
    private readonly SemaphoreSlim startSlots = new(1);
    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> starting = [];
    private readonly int capacity;
    private readonly bool ahead;
    private Task filling = Task.CompletedTask;
    private string? state;
    private int remaining;
    private int taken;
    private int disposed;
    private int firstStarted;

    private QemuVmPool(VmMachine machine, JobSpec template, VmLayout layout, string folder, JobPoolOptions options)
    {
        this.machine = machine;
        this.template = template;
        this.layout = layout;
        this.folder = folder;
        capacity = options.Capacity;
        remaining = options.Capacity;
        ahead = options.Depth > 0;
        vacancies = new SemaphoreSlim(Math.Max(1, Math.Min(options.Capacity, options.Parallelism + options.Depth)));
    }

    /// <inheritdoc />
    public string InstanceKind => QemuBackend.InstanceKind;

    /// <summary>How the pool's VMs start: from a saved state, or each booted.</summary>
    public bool FromSavedState => state is not null;

    /// <summary>What saving the state cost (wall time from QEMU's start to the state on disk); zero without.</summary>
    public TimeSpan SaveTime { get; private set; }

    /// <summary>
    /// Makes the pool: with snapshots, boots the template VM and saves its state (the first job
    /// gets that VM); then starts making VMs ready ahead in the background.
    /// </summary>
    /// <exception cref="ContainerRuntimeException">The VM does not boot, or its file system cannot be built.</exception>
    public static async Task<QemuVmPool> StartAsync(VmMachine machine, JobSpec template, VmLayout layout, string folder, JobPoolOptions options, bool snapshots, Action<string>? notice, CancellationToken cancellationToken)
    {
        var pool = new QemuVmPool(machine, template, layout, folder, options);
        try
        {
            if (snapshots && layout.Stdin)
            {
                await pool.SaveTemplateAsync(notice, cancellationToken).ConfigureAwait(false);
            }

            if (pool.ahead)
            {
                pool.filling = Task.Run(pool.FillAsync, CancellationToken.None);
            }
            return pool;
        }
        catch
        {
            await pool.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<JobResult> RunAsync(ReadOnlyMemory<byte> input, IJobObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (Interlocked.Increment(ref taken) > capacity)
        {
            throw new InvalidOperationException($"The pool was made for {capacity} job(s); no more VMs will be ready.");
        }

        Prepared prepared;
        if (ready.Reader.TryRead(out var waiting))
        {
            prepared = waiting;
        }
        else if (!ahead)
        {
            prepared = await PrepareAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            try
            {
                prepared = await ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return Cancelled();
            }
        }

        if (ahead)
        {
            vacancies.Release();
        }

        if (prepared.Vm is null && prepared.Error is null)
        {
            return Cancelled();
        }

        var jobId = "t" + Guid.NewGuid().ToString("N")[..11];
        if (prepared.Error is not null)
        {
            var now = DateTimeOffset.UtcNow;
            return prepared.Error is BackendUnavailableException
                ? throw prepared.Error
                : new JobResult { JobId = jobId, InstanceKind = InstanceKind, Termination = TerminationReason.FailedToStart, FailureCause = prepared.Error.Message, StartedAt = now, EndedAt = now };
        }

        var vm = prepared.Vm!;
        try
        {
            return await QemuJobRun.RunAsync(vm, template, jobId, prepared.CommandStarted, prepared.Paused, input, observer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await vm.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops making VMs, kills those nobody took, and removes the saved state.</summary>
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
        while (ready.Reader.TryRead(out var prepared))
        {
            if (prepared.Vm is not null)
            {
                unused.Add(prepared.Vm.DisposeAsync().AsTask());
            }
        }

        await Task.WhenAll(unused).ConfigureAwait(false);
        if (state is not null)
        {
            File.Delete(state);
        }

        stop.Dispose();
        vacancies.Dispose();
        startSlots.Dispose();
    }

    private static JobResult Cancelled() => new()
    {
        JobId = "cancelled",
        InstanceKind = QemuBackend.InstanceKind,
        Termination = TerminationReason.Cancelled,
        StartedAt = DateTimeOffset.UtcNow,
        EndedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Boots the template VM, starts the command, waits until it waits for its input, and saves the VM's state.</summary>
    private async Task SaveTemplateAsync(Action<string>? notice, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var vm = await QemuJobRun.BootAsync(machine, layout, folder, startCommand: true, cancellationToken).ConfigureAwait(false);
        try
        {
            await vm.Control.SendAsync(new GuestPlan().WaitForInput(WaitForInputTimeout, TimeSpan.FromMilliseconds(300)), cancellationToken).ConfigureAwait(false);
            var answer = await vm.Control.WaitForAsync(cancellationToken, "waiting", "waiting-failed").ConfigureAwait(false);
            if (answer is null || !answer.StartsWith("waiting ", StringComparison.Ordinal))
            {
                notice?.Invoke($"ContainerTest: the VMs of these tests cannot start from a saved state, so each boots ({answer?["waiting-failed ".Length..] ?? vm.Describe()}); that costs a boot and a start of the test's process per test.");
                await vm.DisposeAsync().ConfigureAwait(false);
                return;
            }

            var path = Path.Combine(folder, "state-" + vm.Id);
            await vm.SaveAsync(path, cancellationToken).ConfigureAwait(false);
            state = path;
            SaveTime = clock.Elapsed;
            Interlocked.Decrement(ref remaining);
            if (ahead)
            {
                await vacancies.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            ready.Writer.TryWrite(new Prepared(vm, null, CommandStarted: true, Paused: true));
        }
        catch
        {
            await vm.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Makes VMs ready ahead, as many at once as there are cores (the first alone), at most as many waiting as the pool may hold.</summary>
    private async Task FillAsync()
    {
        try
        {
            while (Volatile.Read(ref remaining) > 0)
            {
                await vacancies.WaitAsync(stop.Token).ConfigureAwait(false);
                await startSlots.WaitAsync(stop.Token).ConfigureAwait(false);
                Interlocked.Decrement(ref remaining);
                var task = PrepareAheadAsync();
                lock (starting)
                {
                    starting.RemoveAll(t => t.IsCompleted);
                    starting.Add(task);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
    }

    private async Task PrepareAheadAsync()
    {
        Prepared prepared;
        try
        {
            prepared = await PrepareAsync(stop.Token).ConfigureAwait(false);
        }
        finally
        {
            startSlots.Release(Interlocked.Exchange(ref firstStarted, 1) == 0 ? Cores : 1);
        }

        if (prepared.Vm is not null || prepared.Error is not null)
        {
            ready.Writer.TryWrite(prepared);
        }
    }

    /// <summary>A VM for one job: restored from the saved state (paused), or booted; an error is given to the job it was meant for.</summary>
    private async Task<Prepared> PrepareAsync(CancellationToken cancellationToken)
    {
        VirtualMachine? vm = null;
        try
        {
            if (state is not null)
            {
                vm = await VirtualMachine.StartAsync(machine, layout, folder, incoming: true, cancellationToken).ConfigureAwait(false);
                await vm.RestoreAsync(state, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                vm = await QemuJobRun.BootAsync(machine, layout, folder, startCommand: false, cancellationToken).ConfigureAwait(false);
            }

            return new Prepared(vm, null, CommandStarted: state is not null, Paused: state is not null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (vm is not null)
            {
                await vm.DisposeAsync().ConfigureAwait(false);
            }

            return new Prepared(null, null, false, false);
        }
        catch (Exception ex)
        {
            if (vm is not null)
            {
                await vm.DisposeAsync().ConfigureAwait(false);
            }

            return new Prepared(null, ex, false, false);
        }
    }

    private sealed record Prepared(VirtualMachine? Vm, Exception? Error, bool CommandStarted, bool Paused);
}
