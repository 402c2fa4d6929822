namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Buffers;
using System.Net.Sockets;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// One of the command's output streams, read from its port's socket as it arrives and counted.
/// What arrives before a job takes the VM is held (up to 1 MiB) and handed over when it does.
/// The init reports how many bytes it forwarded when the command ends, so the job waits for
/// exactly that many before the VM is stopped: nothing written is lost.
/// </summary>
internal sealed class VmOutputStream
{
    private const int HeldLimit = 1 << 20;
    private readonly Socket socket;
    private readonly OutputChannel channel;
    private readonly object gate;
    private readonly System.Buffers.ArrayBufferWriter<byte> held = new();
    private VmOutputSink? sink;
    private long received;
    private TaskCompletionSource progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="socket">The port's socket.</param>
    /// <param name="channel">Which stream it is.</param>
    /// <param name="gate">Shared by a VM's streams: chunks reach the sink one at a time, in order.</param>
    public VmOutputStream(Socket socket, OutputChannel channel, object gate)
    {
        this.socket = socket;
        this.channel = channel;
        this.gate = gate;
        Reading = Task.Run(ReadAsync);
    }

    /// <summary>Ends at the stream's end (the VM stopped).</summary>
    public Task Reading { get; }

    /// <summary>Bytes received so far.</summary>
    public long Received => Interlocked.Read(ref received);

    /// <summary>From now on chunks go to <paramref name="destination"/>; what was held goes first.</summary>
    public void Attach(VmOutputSink destination)
    {
        lock (gate)
        {
            if (held.WrittenCount > 0)
            {
                destination(channel, held.WrittenSpan);
                held.Clear();
            }

            sink = destination;
        }
    }

    /// <summary>Waits until <paramref name="count"/> bytes have arrived, the stream ended, or <paramref name="timeout"/> passed.</summary>
    public async Task WaitForAsync(long count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Received < count && !Reading.IsCompleted && DateTime.UtcNow < deadline)
        {
            Task next;
            lock (gate)
            {
                next = progress.Task;
            }

            if (Received >= count)
            {
                break;
            }

            await Task.WhenAny(next, Reading, Task.Delay(deadline - DateTime.UtcNow)).ConfigureAwait(false);
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                TaskCompletionSource done;
                lock (gate)
                {
                    if (sink is { } destination)
                    {
                        destination(channel, buffer.AsSpan(0, read));
                    }
                    else if (held.WrittenCount < HeldLimit)
                    {
                        held.Write(buffer.AsSpan(0, Math.Min(read, HeldLimit - held.WrittenCount)));
                    }

                    Interlocked.Add(ref received, read);
                    done = progress;
                    progress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                done.TrySetResult();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // the VM is gone
        }
    }
}
