namespace ContainerTest.ContainerRuntime.Backends.Qemu;

// The pieces of this backend are Linux-only (Unix file modes, /proc, QEMU's Linux build). No
// instance exists elsewhere: ConnectAsync refuses any other system before it makes one.
#pragma warning disable CA1416

using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// Runs each job in a QEMU virtual machine of its own, with its own Linux kernel: the strongest
/// isolation the runtime offers (a test that escapes its processes' limits still stands behind
/// a hypervisor). KVM when the host allows it, TCG (software emulation) otherwise — see
/// <see cref="Notice"/>. A VM boots Debian's (or the configured) kernel with an initramfs holding
/// the runtime's own static init, which mounts the job's layers (disk images and 9p shares), sets
/// its identity, environment and limits, runs the command with its streams on virtio-serial
/// ports, and reports how it ended; the VM is then killed and everything it used removed.
/// Pools start every job's VM from a saved state (see <see cref="QemuVmPool"/>). No engine is
/// needed: the host image is made into a disk image here.
/// </summary>
public sealed class QemuBackend : IJobBackend, IInteractiveJobs
{
    /// <summary>What a job's instance is called in results and messages.</summary>
    public const string InstanceKind = "VM";

    private readonly VmMachine machine;
    private readonly QemuBackendOptions options;
    private readonly string runFolder;
    private readonly LayerDisks disks;
    private readonly VmRootImages images = new();
    private int disposed;

    private QemuBackend(VmMachine machine, QemuBackendOptions options, string runFolder, string runId, string notice)
    {
        this.machine = machine;
        this.options = options;
        this.runFolder = runFolder;
        RunId = runId;
        Notice = notice;
        disks = new LayerDisks(Path.Combine(runFolder, "layers"));
    }

    /// <inheritdoc />
    public string Name => "qemu";

    /// <inheritdoc />
    public string RunId { get; }

    /// <summary>What the user should know first: the accelerator, why, and what it costs.</summary>
    public string Notice { get; }

    /// <summary>How the VMs run the guest's code.</summary>
    public QemuAccelerator Accelerator => machine.Accelerator;

    /// <summary>The folder of this backend's VMs (removed when it is disposed).</summary>
    internal string RunFolder => runFolder;

    /// <summary>The kernel the VMs boot.</summary>
    public string Kernel => machine.Kernel.Image;

    /// <inheritdoc />
    /// <remarks>
    /// Not: <see cref="BackendCapabilities.NetworkAllowList"/> (no per-endpoint gateway for a
    /// VM's user-mode network yet) and <see cref="BackendCapabilities.SandboxHost"/> (a VM is not
    /// a sandbox worker).
    /// </remarks>
    public BackendCapabilities Capabilities =>
        BackendCapabilities.ReadOnlyHostDirectory
        | BackendCapabilities.CopyOnWriteHostDirectory
        | BackendCapabilities.TarLayer
        | BackendCapabilities.FileLayer
        | BackendCapabilities.SymlinkLayer
        | BackendCapabilities.NetworkNone
        | BackendCapabilities.NetworkLoopback
        | BackendCapabilities.NetworkOpen
        | BackendCapabilities.TmpfsMount
        | BackendCapabilities.ProcAtSlashProc
        | BackendCapabilities.ProcElsewhere
        | BackendCapabilities.MemoryLimit
        | BackendCapabilities.CpuLimit
        | BackendCapabilities.PidsLimit
        | BackendCapabilities.UserIdentity
        | BackendCapabilities.Tty
        | BackendCapabilities.Hardening;

    /// <summary>
    /// Finds QEMU, the kernel and its drivers, makes the initramfs, and chooses the accelerator
    /// (trying KVM once per host boot when /dev/kvm is there).
    /// </summary>
    /// <exception cref="BackendUnavailableException">QEMU, a kernel or a driver is missing; the message names the fix.</exception>
    public static async Task<QemuBackend> ConnectAsync(QemuBackendOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new QemuBackendOptions();
        var qemu = QemuInstallation.Locate(options.QemuPath);
        var assets = VmAssets.Require();
        var kernel = GuestKernelLocator.Locate(options.Kernel);
        var modules = KernelModules.Resolve(kernel);
        var initramfs = VmInitramfs.Ensure(assets, kernel, modules);
        var live = new LiveVms();
        var runFolder = QemuRunFolder.Create();
        try
        {
            var choice = await AcceleratorChoice.ChooseAsync(
                options.Accelerator,
                kernel.Image,
                qemu.Path,
                ct => ProbeKvmAsync(new VmMachine(qemu, assets, kernel, modules, initramfs, QemuAccelerator.Kvm, live), runFolder, ct),
                cancellationToken).ConfigureAwait(false);
            var machine = new VmMachine(qemu, assets, kernel, modules, initramfs, choice.Accelerator, live);
            options.OnNotice?.Invoke(choice.Notice);
            return new QemuBackend(machine, options, runFolder, options.RunId ?? NewRunId(), choice.Notice);
        }
        catch
        {
            QemuRunFolder.Remove(runFolder);
            throw;
        }
    }

    /// <summary>Makes the host image's disk (once per machine and runtime); returns its tag, the same as the Docker backend's.</summary>
    public Task<string> EnsureHostImageAsync(CancellationToken cancellationToken = default) => images.EnsureHostImageAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<JobResult> RunAsync(JobSpec spec, IJobObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        CapabilityCheck.Ensure(this, spec);
        var jobId = spec.JobId ?? Guid.NewGuid().ToString("N")[..12];
        var layout = await VmLayoutBuilder.BuildAsync(spec, images.Resolve(spec.Image), disks, machine.Modules, terminal: false, cancellationToken).ConfigureAwait(false);
        VirtualMachine vm;
        try
        {
            vm = await QemuJobRun.BootAsync(machine, layout, runFolder, startCommand: false, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var now = DateTimeOffset.UtcNow;
            return new JobResult { JobId = jobId, InstanceKind = InstanceKind, Termination = TerminationReason.Cancelled, StartedAt = now, EndedAt = now };
        }

        await using (vm.ConfigureAwait(false))
        {
            return await QemuJobRun.RunAsync(vm, spec, jobId, commandStarted: false, paused: false, spec.StandardInput, observer, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A pool for jobs of <paramref name="template"/> (see <see cref="QemuVmPool"/>): the first VM
    /// boots and its state is saved before this returns; the others start from it ahead of need.
    /// </summary>
    /// <exception cref="ContainerRuntimeException">The image, a layer or the VM is at fault.</exception>
    public async Task<IJobPool> CreatePoolAsync(JobSpec template, JobPoolOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        CapabilityCheck.Ensure(this, template);
        var layout = await VmLayoutBuilder.BuildAsync(template with { StandardInput = ReadOnlyMemory<byte>.Empty }, images.Resolve(template.Image), disks, machine.Modules, terminal: false, cancellationToken).ConfigureAwait(false);
        return await QemuVmPool.StartAsync(machine, template, layout, runFolder, options, this.options.Snapshots, this.options.OnNotice, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<JobResult> RunInteractiveAsync(JobSpec spec, IJobTerminal terminal, string kind, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(terminal);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        CapabilityCheck.Ensure(this, spec);
        var layout = await VmLayoutBuilder.BuildAsync(spec with { StandardInput = null, StopWhenOwnerExits = false }, images.Resolve(spec.Image), disks, machine.Modules, terminal: true, cancellationToken).ConfigureAwait(false);
        return await QemuInteractiveJob.RunAsync(machine, layout, runFolder, spec.JobId ?? Guid.NewGuid().ToString("N")[..12], terminal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the folders of earlier runs whose test host was killed (their VMs died with it); returns how many.</summary>
    public static int RemoveOrphans() => QemuRunFolder.RemoveOrphans();

    /// <summary>Kills every VM still running and removes the run's folder (saved states, disk images of layers, sockets).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await Task.WhenAll(machine.Live.Snapshot().Select(vm => vm.DisposeAsync().AsTask())).ConfigureAwait(false);
        QemuRunFolder.Remove(runFolder);
    }

    /// <summary>Boots the kernel under KVM to its init; null when that worked, else what went wrong.</summary>
    private static async Task<string?> ProbeKvmAsync(VmMachine kvm, string runFolder, CancellationToken cancellationToken)
    {
        var layout = new VmLayout
        {
            Disks = [],
            Shares = [],
            Boot = new GuestPlan(),
            Start = new GuestPlan(),
            Turn = _ => new GuestPlan(),
            MemoryMiB = 256,
            Cpus = 1,
        };
        try
        {
            var vm = await VirtualMachine.StartAsync(kvm, layout, runFolder, incoming: false, cancellationToken).ConfigureAwait(false);
            await using (vm.ConfigureAwait(false))
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(20));
                try
                {
                    var booted = await vm.Control.WaitForAsync(timeout.Token, "boot").ConfigureAwait(false);
                    return booted is not null && booted.StartsWith("boot ", StringComparison.Ordinal) ? null : $"the VM stopped: {vm.Describe()}";
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return "a VM under KVM did not reach its init within 20 s";
                }
            }
        }
        catch (ContainerRuntimeException ex)
        {
            return ex.Message;
        }
    }

    private static string NewRunId() => DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
}
