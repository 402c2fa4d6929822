namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// One QEMU process and everything it uses: a folder of its own (sockets, console log), the
/// launcher that kills QEMU when the test host goes away, QMP, the init's control port and the
/// command's streams. Disposing it kills QEMU and removes the folder, on every path.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class VirtualMachine : IAsyncDisposable
{
    private const int KeptErrorChars = 8192;
    private readonly Process launcher;
    private readonly StringBuilder qemuErrors = new();
    private readonly List<Socket> sockets = [];
    private readonly List<Socket> listeners = [];
    private readonly object outputGate = new();
    private int disposed;

    private readonly LiveVms live;

    private VirtualMachine(string id, string folder, Process launcher, VmLayout layout, LiveVms live)
    {
        this.live = live;
        Id = id;
        Folder = folder;
        this.launcher = launcher;
        Layout = layout;
        Exited = launcher.WaitForExitAsync();
    }

    /// <summary>The VM's id (12 hex digits): its folder's name and, in a job, its host name.</summary>
    public string Id { get; }

    /// <summary>Its folder.</summary>
    public string Folder { get; }

    /// <summary>What it was made for.</summary>
    public VmLayout Layout { get; }

    /// <summary>Ends when QEMU has ended.</summary>
    public Task Exited { get; }

    /// <summary>QMP.</summary>
    public QmpClient Qmp { get; private set; } = null!;

    /// <summary>The init's control port.</summary>
    public ControlChannel Control { get; private set; } = null!;

    /// <summary>The command's stdin (null when it has none from the host).</summary>
    public Socket? Input { get; private set; }

    /// <summary>The command's stdout (null with a terminal).</summary>
    public VmOutputStream? Stdout { get; private set; }

    /// <summary>The command's stderr (null with a terminal).</summary>
    public VmOutputStream? Stderr { get; private set; }

    /// <summary>An interactive job's terminal (the second serial port).</summary>
    public Socket? Terminal { get; private set; }

    /// <summary>
    /// Starts QEMU for <paramref name="layout"/> in a new folder under <paramref name="runFolder"/>
    /// and waits until it has connected to every socket. With <paramref name="incoming"/> it waits
    /// paused for a saved state (see <see cref="RestoreAsync"/>).
    /// </summary>
    /// <exception cref="ContainerRuntimeException">QEMU would not start; the message holds what it said.</exception>
    public static async Task<VirtualMachine> StartAsync(VmMachine machine, VmLayout layout, string runFolder, bool incoming, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var folder = Path.Combine(runFolder, id);
        Directory.CreateDirectory(folder);
        var names = new List<string> { VmSockets.Qmp };
        names.AddRange(VmSockets.Ports(layout).Select(p => p.Socket));
        if (layout.Terminal)
        {
            names.Add(VmSockets.Terminal);
        }

        var listening = new Dictionary<string, Socket>(StringComparer.Ordinal);
        VirtualMachine? vm = null;
        try
        {
            foreach (var name in names)
            {
                var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(folder, name)));
                listener.Listen(1);
                listening[name] = listener;
            }

            var start = new ProcessStartInfo(machine.Assets.Launcher)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(machine.Qemu.Path);
            foreach (var argument in QemuCommandLine.Build(machine, layout, folder, incoming))
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start) ?? throw new ContainerRuntimeException($"{machine.Assets.Launcher} could not be started.", RetryClass.Unknown);
            vm = new VirtualMachine(id, folder, process, layout, machine.Live);
            machine.Live.Add(vm);
            vm.listeners.AddRange(listening.Values);
            process.ErrorDataReceived += (_, e) => vm.KeepError(e.Data);
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();

            var accepted = new Dictionary<string, Socket>(StringComparer.Ordinal);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(1));
            var accepting = listening.ToDictionary(p => p.Key, p => p.Value.AcceptAsync(timeout.Token).AsTask(), StringComparer.Ordinal);
            var all = Task.WhenAll(accepting.Values);
            if (await Task.WhenAny(all, vm.Exited).ConfigureAwait(false) != all)
            {
                await timeout.CancelAsync().ConfigureAwait(false);
                throw new ContainerRuntimeException($"QEMU ended as it started: {vm.Describe()}", RetryClass.NotRetryable);
            }

            foreach (var (name, task) in accepting)
            {
                accepted[name] = await task.ConfigureAwait(false);
                vm.sockets.Add(accepted[name]);
            }

            try
            {
                vm.Qmp = await QmpClient.ConnectAsync(accepted[VmSockets.Qmp], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                await vm.Exited.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw new ContainerRuntimeException($"QEMU ended as it started: {vm.Describe()}", RetryClass.NotRetryable, ex);
            }
            vm.Control = new ControlChannel(accepted[VmSockets.Control]);
            vm.Input = accepted.GetValueOrDefault(VmSockets.Input);
            vm.Terminal = accepted.GetValueOrDefault(VmSockets.Terminal);
            if (accepted.TryGetValue(VmSockets.Output, out var output))
            {
                vm.Stdout = new VmOutputStream(output, OutputChannel.Stdout, vm.outputGate);
                vm.Stderr = new VmOutputStream(accepted[VmSockets.Error], OutputChannel.Stderr, vm.outputGate);
            }

            return vm;
        }
        catch (Exception ex)
        {
            if (vm is not null)
            {
                await vm.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                foreach (var listener in listening.Values)
                {
                    listener.Dispose();
                }

                DeleteFolder(folder);
            }

            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new ContainerRuntimeException($"QEMU did not connect to its sockets within a minute: {vm?.Describe()}", RetryClass.Retryable, ex);
            }

            throw;
        }
    }

    /// <summary>Loads a saved state into this VM (started with <c>incoming</c>); it stays paused until <see cref="ResumeAsync"/>.</summary>
    public async Task RestoreAsync(string state, CancellationToken cancellationToken)
    {
        await Qmp.ExecuteAsync("migrate-incoming", new JsonObject { ["uri"] = "exec:cat " + Quote(state) }, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var status = (await Qmp.ExecuteAsync("query-status", null, cancellationToken).ConfigureAwait(false))?["status"]?.GetValue<string>();
            if (status is not "inmigrate")
            {
                if (status is "paused" or "prelaunch")
                {
                    return;
                }

                throw new ContainerRuntimeException($"Loading the saved VM state failed (QEMU status '{status}'): {Describe()}", RetryClass.Unknown);
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a paused VM.</summary>
    public Task ResumeAsync(CancellationToken cancellationToken) => Qmp.ExecuteAsync("cont", null, cancellationToken);

    /// <summary>Pauses the VM and writes its whole state (memory, devices) to <paramref name="state"/>; it stays paused.</summary>
    public async Task SaveAsync(string state, CancellationToken cancellationToken)
    {
        await Qmp.ExecuteAsync("stop", null, cancellationToken).ConfigureAwait(false);
        await Qmp.ExecuteAsync("migrate", new JsonObject { ["uri"] = "exec:cat > " + Quote(state) }, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var info = await Qmp.ExecuteAsync("query-migrate", null, cancellationToken).ConfigureAwait(false);
            var status = info?["status"]?.GetValue<string>();
            if (status == "completed")
            {
                return;
            }

            if (status is "failed" or "cancelled")
            {
                throw new ContainerRuntimeException($"Saving the VM's state failed: {info?["error-desc"]?.GetValue<string>() ?? status}", RetryClass.Unknown);
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>From now on the command's output goes to <paramref name="sink"/> (what was held first), one chunk at a time.</summary>
    public void AttachOutput(VmOutputSink sink)
    {
        Stdout?.Attach(sink);
        Stderr?.Attach(sink);
    }

    /// <summary>What went wrong, for a message: QEMU's own errors and the end of the kernel's console.</summary>
    public string Describe()
    {
        string errors;
        lock (qemuErrors)
        {
            errors = qemuErrors.ToString().Trim();
        }

        var console = ConsoleTail();
        var parts = new List<string>();
        if (errors.Length > 0)
        {
            parts.Add($"QEMU said: {errors}");
        }

        if (console.Length > 0)
        {
            parts.Add($"the VM's console ended with: {console}");
        }

        return parts.Count == 0 ? "QEMU said nothing." : string.Join("; ", parts);
    }

    /// <summary>The last lines of the kernel's console (its messages, and the init's before the control port existed).</summary>
    public string ConsoleTail(int lines = 12)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(Folder, VmSockets.ConsoleLog));
            var clean = new string(text.Where(c => c == '\n' || !char.IsControl(c)).ToArray());
            return string.Join(" | ", clean.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('[') || l.Contains(']', StringComparison.Ordinal)).TakeLast(lines));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>Kills QEMU (its launcher kills it when its stdin closes) and waits for it.</summary>
    public async Task KillAsync()
    {
        try
        {
            launcher.StandardInput.Close();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // already closed
        }

        if (await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false) != Exited)
        {
            try
            {
                launcher.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // ended meanwhile
            }

            await Exited.ConfigureAwait(false);
        }
    }

    /// <summary>Kills QEMU and removes everything the VM used.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await KillAsync().ConfigureAwait(false);
        Qmp?.Dispose();
        Control?.Dispose();
        foreach (var socket in sockets.Concat(listeners))
        {
            socket.Dispose();
        }

        var readers = new List<Task>();
        if (Stdout is not null)
        {
            readers.Add(Stdout.Reading);
            readers.Add(Stderr!.Reading);
        }

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        launcher.Dispose();
        DeleteFolder(Folder);
        live.Remove(this);
    }

    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The run's folder goes at the end, or the next run's sweep takes it.
        }
    }

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private void KeepError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (qemuErrors)
        {
            if (qemuErrors.Length < KeptErrorChars)
            {
                qemuErrors.AppendLine(line);
            }
        }
    }
}
