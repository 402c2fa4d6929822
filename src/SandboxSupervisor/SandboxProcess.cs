namespace ContainerTest.SandboxSupervisor;

using System.Diagnostics;
using System.Text.Json.Nodes;
using ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;

/// <summary>
/// One job's sandbox: bubblewrap started with the job's command, held before the command runs
/// until its limits are set (bubblewrap's block descriptor), its output forwarded as frames from
/// the first byte, its stdin kept open for the job's input. Killing bubblewrap ends the sandbox:
/// its PID 1 dies with it, and the kernel kills every process of the PID namespace.
/// </summary>
internal sealed class SandboxProcess
{
    /// <summary>Only one child at a time may be started: the inheritable descriptors are for it alone.</summary>
    private static readonly object StartLock = new();

    private readonly Process process;
    private readonly Task pumping;

    private SandboxProcess(string job, Process process, int sandboxPid, Task pumping)
    {
        Job = job;
        this.process = process;
        SandboxPid = sandboxPid;
        this.pumping = pumping;
    }

    /// <summary>The job id.</summary>
    public string Job { get; }

    /// <summary>The sandbox's PID 1, as the worker sees it.</summary>
    public int SandboxPid { get; }

    /// <summary>Ends with the job's exit status (128 + signal when a signal ended it), once all its output is forwarded.</summary>
    public async Task<int> WaitAsync()
    {
        await process.WaitForExitAsync().ConfigureAwait(false);
        await pumping.ConfigureAwait(false);
        return process.ExitCode;
    }

    /// <summary>
    /// Starts the sandbox of <paramref name="job"/>: bubblewrap sets it up and stops before the
    /// command; its PID 1 gets the process limit and the OOM killer's preference (so a job that
    /// runs out of memory is what gets killed, never the supervisor), then the command runs.
    /// </summary>
    /// <param name="bwrap">bubblewrap's path in the worker.</param>
    /// <param name="spec">The worker's sandbox spec.</param>
    /// <param name="worker">What the worker's file system holds.</param>
    /// <param name="job">The job id, also the sandbox's host name.</param>
    /// <param name="jobFiles">The worker directory with the job's hostname and hosts files.</param>
    /// <param name="seccompFile">The seccomp program's file, or null for none.</param>
    /// <param name="output">Where its stdout and stderr go; null: it shares the supervisor's stdin, stdout and stderr (a terminal).</param>
    public static SandboxProcess Start(string bwrap, SandboxSpec spec, WorkerFileSystem worker, string job, string jobFiles, string? seccompFile, OutputSink? output)
    {
        int seccomp = -1, infoRead = -1, infoWrite = -1, blockRead = -1, blockWrite = -1;
        Process process;
        try
        {
            lock (StartLock)
            {
                seccomp = seccompFile is null ? -1 : Libc.OpenInheritable(seccompFile);
                (infoRead, infoWrite) = Libc.InheritablePipe(childReads: false);
                (blockRead, blockWrite) = Libc.InheritablePipe(childReads: true);
                var start = new ProcessStartInfo(bwrap)
                {
                    RedirectStandardInput = output is not null,
                    RedirectStandardOutput = output is not null,
                    RedirectStandardError = output is not null,
                    UseShellExecute = false,
                };
                foreach (var argument in BwrapCommandLine.For(spec, worker, job, jobFiles, (seccomp, infoWrite, blockRead)))
                {
                    start.ArgumentList.Add(argument);
                }

                start.Environment["HOSTNAME"] = job; // the engine sets the container's; the sandbox's is the job's
                process = SpawningThread.Run(() => Process.Start(start)) ?? throw new IOException("bubblewrap did not start.");

                // The child has its copies; ours would keep the pipes open.
                Libc.Close(seccomp);
                Libc.Close(infoWrite);
                Libc.Close(blockRead);
                seccomp = infoWrite = blockRead = -1;
            }

            var pumping = output is null
                ? Task.CompletedTask
                : Task.WhenAll(
                    PumpAsync(process.StandardOutput.BaseStream, WorkerFrame.Stdout, output),
                    PumpAsync(process.StandardError.BaseStream, WorkerFrame.Stderr, output));
            var info = Libc.ReadToEnd(infoRead); // bubblewrap writes it once the sandbox's PID 1 exists, then closes it
            if (SandboxPidFrom(info) is { } pid)
            {
                Prepare(pid, spec);
            }

            Libc.WriteByte(blockWrite); // the command may run now (when setting up failed, bubblewrap has exited: its stderr says why)
            return new SandboxProcess(job, process, SandboxPidFrom(info) ?? -1, pumping);
        }
        finally
        {
            Libc.Close(seccomp);
            Libc.Close(infoRead);
            Libc.Close(infoWrite);
            Libc.Close(blockRead);
            Libc.Close(blockWrite);
        }
    }

    /// <summary>Writes the job's input to its stdin, which then stays open (its end means the host is gone).</summary>
    public async Task WriteInputAsync(ReadOnlyMemory<byte> input)
    {
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(input).ConfigureAwait(false);
            await process.StandardInput.BaseStream.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The command has already ended; its exit says why.
        }
    }

    /// <summary>Kills the sandbox and every process in it.</summary>
    public void Kill()
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static void Prepare(int pid, SandboxSpec spec)
    {
        try
        {
            if (spec.ProcessLimit is { } limit)
            {
                Libc.SetLimit(pid, Libc.RlimitNproc, (ulong)limit);
            }
        }
        catch (IOException)
        {
            // Its PID 1 is gone already: setting the sandbox up failed, and bubblewrap's exit says why.
            return;
        }

        try
        {
            // Raising one's own score needs no privilege; processes the job starts inherit it.
            File.WriteAllText($"/proc/{pid}/oom_score_adj", "1000");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A kernel without the knob: the OOM killer still picks the largest process, the job's.
        }
    }

    private static int? SandboxPidFrom(byte[] info)
    {
        try
        {
            return info.Length > 0 && JsonNode.Parse(info) is JsonObject json && json["child-pid"] is { } pid ? pid.GetValue<int>() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Where a sandbox's output goes: <see cref="WorkerFrame.Stdout"/> or <see cref="WorkerFrame.Stderr"/>, and the bytes.</summary>
    public delegate Task OutputSink(byte stream, ReadOnlyMemory<byte> bytes);

    private static async Task PumpAsync(Stream from, byte kind, OutputSink output)
    {
        var buffer = new byte[65536];
        while (true)
        {
            var read = await from.ReadAsync(buffer).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            await output(kind, buffer.AsMemory(0, read)).ConfigureAwait(false);
        }
    }
}
