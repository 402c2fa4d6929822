namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Globalization;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// Boots a job's VM and runs the job in it: the VM's life from QEMU's start to the init's report
/// of how the command ended, with the output counted in full, the timeout, and cancellation. The
/// caller disposes the VM (which kills it) whatever happened.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class QemuJobRun
{
    /// <summary>How long a VM may take from QEMU's start to its init asking for work (TCG on a loaded machine is slow).</summary>
    public static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Starts a VM and has its init build the file system (<see cref="VmLayout.Boot"/>), and with
    /// <paramref name="startCommand"/> start the command too. Returns the VM waiting for its job's turn.
    /// </summary>
    /// <exception cref="ContainerRuntimeException">The VM did not boot, or its init could not build what the job needs; the message says why.</exception>
    public static async Task<VirtualMachine> BootAsync(VmMachine machine, VmLayout layout, string runFolder, bool startCommand, CancellationToken cancellationToken)
    {
        var vm = await VirtualMachine.StartAsync(machine, layout, runFolder, incoming: false, cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(BootTimeout);
            string? booted;
            try
            {
                booted = await vm.Control.WaitForAsync(timeout.Token, "boot").ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ContainerRuntimeException($"The VM did not boot within {BootTimeout.TotalMinutes:0} minutes: {vm.Describe()}", RetryClass.Retryable);
            }

            if (booted is null || booted.StartsWith("fatal ", StringComparison.Ordinal))
            {
                await vm.KillAsync().ConfigureAwait(false);
                throw BootFailure(machine, vm, booted);
            }

            var plan = new GuestPlan().Append(layout.Boot);
            if (startCommand)
            {
                plan.Append(layout.Start);
            }

            await vm.Control.SendAsync(plan.Acknowledge("boot"), cancellationToken).ConfigureAwait(false);
            var answer = await vm.Control.WaitForAsync(cancellationToken, "ack", "failed-start").ConfigureAwait(false);
            if (answer is null || !answer.StartsWith("ack ", StringComparison.Ordinal) || vm.Control.Errors.Count > 0)
            {
                var why = answer is null ? "the VM stopped" : answer.StartsWith("ack ", StringComparison.Ordinal) ? string.Join("; ", vm.Control.Errors) : answer;
                throw new ContainerRuntimeException($"The VM could not be prepared for the job: {why}. {vm.Describe()}", RetryClass.NotRetryable);
            }

            return vm;
        }
        catch
        {
            await vm.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs the job in <paramref name="vm"/>: resumes it when <paramref name="paused"/>, does the
    /// turn's steps (and starts the command unless <paramref name="commandStarted"/>), hands it
    /// <paramref name="input"/>, and waits for its end, the timeout or cancellation. Its time
    /// starts here. Problems of the job come back in the result.
    /// </summary>
    public static async Task<JobResult> RunAsync(VirtualMachine vm, JobSpec spec, string jobId, bool commandStarted, bool paused, ReadOnlyMemory<byte>? input, IJobObserver? observer, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var stdout = new BoundedOutputBuffer(spec.OutputLimitBytes);
        var stderr = new BoundedOutputBuffer(spec.OutputLimitBytes);
        observer?.OnStarted(jobId, vm.Id);
        vm.AttachOutput((channel, chunk) =>
        {
            (channel == OutputChannel.Stdout ? stdout : stderr).Append(chunk);
            observer?.OnOutput(jobId, channel, chunk);
        });

        JobResult Result(TerminationReason reason, int? exitCode = null, string? cause = null) => new()
        {
            JobId = jobId,
            InstanceId = vm.Id,
            InstanceKind = QemuBackend.InstanceKind,
            Termination = reason,
            ExitCode = exitCode,
            Stdout = stdout.ToCapturedOutput(),
            Stderr = stderr.ToCapturedOutput(),
            StartedAt = startedAt,
            EndedAt = DateTimeOffset.UtcNow,
            FailureCause = cause,
        };

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (spec.Timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        string? end = null;
        try
        {
            if (paused)
            {
                await vm.ResumeAsync(deadline.Token).ConfigureAwait(false);
            }

            var turn = vm.Layout.Turn(vm.Id);
            if (!commandStarted)
            {
                turn.Append(vm.Layout.Start);
            }

            await vm.Control.SendAsync(turn.Acknowledge("turn"), deadline.Token).ConfigureAwait(false);
            while (true)
            {
                var answer = await vm.Control.WaitForAsync(deadline.Token, "ack", "failed-start", "exit", "signal").ConfigureAwait(false);
                if (answer is null)
                {
                    break; // the VM stopped
                }

                if (answer.StartsWith("failed-start ", StringComparison.Ordinal))
                {
                    return Result(TerminationReason.FailedToStart, cause: $"The command could not be started in the VM: {answer["failed-start ".Length..]}.");
                }

                if (answer.StartsWith("fatal ", StringComparison.Ordinal))
                {
                    return Result(TerminationReason.WorkerLost, cause: $"The VM's init failed: {answer["fatal ".Length..]}.");
                }

                if (answer.StartsWith("ack ", StringComparison.Ordinal))
                {
                    if (vm.Control.Errors.Count > 0)
                    {
                        return Result(TerminationReason.FailedToStart, cause: $"The VM could not be prepared for the job: {string.Join("; ", vm.Control.Errors)}.");
                    }

                    await HandInAsync(vm, spec, input, deadline.Token).ConfigureAwait(false);
                    continue;
                }

                end = answer;
                break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await vm.KillAsync().ConfigureAwait(false);
            return Result(TerminationReason.Cancelled);
        }
        catch (OperationCanceledException)
        {
            // The timeout: the VM is killed; what it wrote until now is kept.
            await vm.KillAsync().ConfigureAwait(false);
            await DrainAsync(vm).ConfigureAwait(false);
            return Result(TerminationReason.TimedOut);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ContainerRuntimeException)
        {
            // QEMU went away under us (its QMP or a port closed).
        }

        if (end is null)
        {
            await vm.KillAsync().ConfigureAwait(false);
            await DrainAsync(vm).ConfigureAwait(false);
            return Result(TerminationReason.WorkerLost, cause: $"The VM stopped before its command ended: {vm.Describe()}");
        }

        // "exit <code> <stdout bytes> <stderr bytes> <oom kills>" or "signal <number> …"
        var fields = end.Split(' ');
        var code = int.Parse(fields[1], CultureInfo.InvariantCulture);
        if (vm.Stdout is not null)
        {
            await vm.Stdout.WaitForAsync(long.Parse(fields[2], CultureInfo.InvariantCulture), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            await vm.Stderr!.WaitForAsync(long.Parse(fields[3], CultureInfo.InvariantCulture), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        var oomKills = int.Parse(fields[4], CultureInfo.InvariantCulture);
        await vm.KillAsync().ConfigureAwait(false);
        return fields[0] == "exit"
            ? Result(TerminationReason.Exited, code)
            : code == 9 && oomKills > 0
                ? Result(TerminationReason.OutOfMemory, 128 + code)
                : Result(TerminationReason.Exited, 128 + code);
    }

    /// <summary>The job's input on its stdin; stdin then stays open only when the job's life is tied to its owner's.</summary>
    private static async Task HandInAsync(VirtualMachine vm, JobSpec spec, ReadOnlyMemory<byte>? input, CancellationToken cancellationToken)
    {
        if (vm.Input is null)
        {
            return;
        }

        if (input is { Length: > 0 } bytes)
        {
            await vm.Input.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }

        if (!spec.StopWhenOwnerExits)
        {
            vm.Input.Shutdown(SocketShutdown.Send);
        }
    }

    /// <summary>Reads what the output ports still held when QEMU ended.</summary>
    private static Task DrainAsync(VirtualMachine vm) =>
        vm.Stdout is null ? Task.CompletedTask : Task.WhenAll(vm.Stdout.Reading, vm.Stderr!.Reading).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);

    /// <summary>Why a VM did not boot, from its console: the kernel or its drivers, mostly.</summary>
    private static ContainerRuntimeException BootFailure(VmMachine machine, VirtualMachine vm, string? fatal)
    {
        var console = vm.ConsoleTail(20);
        if (console.Contains("module-failed", StringComparison.Ordinal) || console.Contains("missing-module", StringComparison.Ordinal)
            || (fatal?.Contains("no control port", StringComparison.Ordinal) ?? false))
        {
            return new BackendUnavailableException(
                $"The kernel {machine.Kernel.Image} ({machine.Kernel.Version}) lacks drivers the test VMs need (virtio PCI and console, virtio block, ext4, overlay, 9p): {vm.Describe()}. "
                + "Use Debian's linux-image-amd64 kernel (its cloud kernel lacks 9p), or a kernel with those drivers built in or as modules beside it. " + GuestKernelLocator.HowToGetOne,
                RetryClass.NotRetryable);
        }

        return new ContainerRuntimeException(
            fatal is null ? $"The VM stopped while booting: {vm.Describe()}" : $"The VM's init failed while booting: {fatal["fatal ".Length..]}. {vm.Describe()}",
            RetryClass.Unknown);
    }
}
