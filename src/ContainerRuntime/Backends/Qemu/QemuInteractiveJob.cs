namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Globalization;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// A job on a person's terminal, in a VM of its own: the command's terminal is the VM's second
/// serial port, whose socket carries the keystrokes in and the output out; the window's size is
/// told to the init, which sets it on the terminal (the kernel then signals the foreground
/// process). The VM boots for it (no saved state: the job's files are mounted before its command
/// starts) and is killed when the command ends or the caller cancels.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class QemuInteractiveJob
{
    /// <summary>Runs the job of <paramref name="layout"/> with <paramref name="terminal"/>; returns when its command ends.</summary>
    public static async Task<JobResult> RunAsync(VmMachine machine, VmLayout layout, string runFolder, string jobId, IJobTerminal terminal, CancellationToken cancellationToken)
    {
        var vm = await QemuJobRun.BootAsync(machine, layout, runFolder, startCommand: false, cancellationToken).ConfigureAwait(false);
        await using (vm.ConfigureAwait(false))
        {
            var startedAt = DateTimeOffset.UtcNow;
            JobResult Result(TerminationReason reason, int? code = null, string? cause = null) => new()
            {
                JobId = jobId,
                InstanceId = vm.Id,
                InstanceKind = QemuBackend.InstanceKind,
                Termination = reason,
                ExitCode = code,
                StartedAt = startedAt,
                EndedAt = DateTimeOffset.UtcNow,
                FailureCause = cause,
            };

            var socket = vm.Terminal!;
            using var pumps = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var output = Task.Run(() => CopyOutAsync(socket, terminal.Output, pumps.Token), CancellationToken.None);
            var input = Task.Run(() => CopyInAsync(terminal.Input, socket, pumps.Token), CancellationToken.None);
            void Resize(object? sender, EventArgs e) => _ = SendSizeAsync(vm, terminal.Size, pumps.Token);
            terminal.Resized += Resize;
            try
            {
                var size = terminal.Size;
                var turn = vm.Layout.Turn(vm.Id).WindowSize(size.Rows, size.Columns).Append(vm.Layout.Start).Acknowledge("turn");
                await vm.Control.SendAsync(turn, cancellationToken).ConfigureAwait(false);
                while (true)
                {
                    var answer = await vm.Control.WaitForAsync(cancellationToken, "ack", "failed-start", "exit", "signal").ConfigureAwait(false);
                    if (answer is null)
                    {
                        return Result(TerminationReason.WorkerLost, cause: $"The VM stopped before its command ended: {vm.Describe()}");
                    }

                    if (answer.StartsWith("failed-start ", StringComparison.Ordinal) || answer.StartsWith("fatal ", StringComparison.Ordinal))
                    {
                        return Result(TerminationReason.FailedToStart, cause: $"The command could not be started in the VM: {answer[(answer.IndexOf(' ', StringComparison.Ordinal) + 1)..]}.");
                    }

                    if (answer.StartsWith("ack ", StringComparison.Ordinal))
                    {
                        if (vm.Control.Errors.Count > 0)
                        {
                            return Result(TerminationReason.FailedToStart, cause: $"The VM could not be prepared for the job: {string.Join("; ", vm.Control.Errors)}.");
                        }

                        continue;
                    }

                    var fields = answer.Split(' ');
                    var code = int.Parse(fields[1], CultureInfo.InvariantCulture);
                    await Task.Delay(200, CancellationToken.None).ConfigureAwait(false); // the terminal's last bytes
                    return Result(TerminationReason.Exited, fields[0] == "exit" ? code : 128 + code);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Result(TerminationReason.Cancelled);
            }
            finally
            {
                terminal.Resized -= Resize;
                await pumps.CancelAsync().ConfigureAwait(false);
                await vm.KillAsync().ConfigureAwait(false);
                await Task.WhenAll(output, input).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static async Task SendSizeAsync(VirtualMachine vm, TerminalSize size, CancellationToken cancellationToken)
    {
        try
        {
            await vm.Control.SendAsync(new GuestPlan().WindowSize(size.Rows, size.Columns), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the VM is ending
        }
    }

    private static async Task CopyOutAsync(Socket socket, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // the VM or the terminal ended
        }
    }

    private static async Task CopyInAsync(Stream source, Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // the VM or the terminal ended
        }
    }
}
