namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

/// <summary>
/// The VM's control port, from the host's side: plans go in (<see cref="GuestPlan"/>), the init's
/// event lines come out (<c>boot</c>, <c>started</c>, <c>waiting</c>, <c>ack</c>, <c>exit</c>,
/// <c>error …</c>, <c>fatal …</c>; see nuget/native/vm/init.c). The event stream completes when
/// the VM goes away.
/// </summary>
internal sealed class ControlChannel : IDisposable
{
    private readonly Socket socket;
    private readonly Channel<string> events = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<string> errors = [];

    public ControlChannel(Socket socket)
    {
        this.socket = socket;
        Reading = Task.Run(ReadAsync);
    }

    /// <summary>Ends when the VM closes the port (it stopped).</summary>
    public Task Reading { get; }

    /// <summary>The <c>error …</c> lines seen so far (a step the init could not do).</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (errors)
            {
                return [.. errors];
            }
        }
    }

    /// <summary>Sends a plan.</summary>
    public async Task SendAsync(GuestPlan plan, CancellationToken cancellationToken)
    {
        await socket.SendAsync(plan.Bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for the next event that starts with one of <paramref name="prefixes"/>; <c>fatal</c>
    /// lines always end the wait. Null when the VM went away first.
    /// </summary>
    public async Task<string?> WaitForAsync(CancellationToken cancellationToken, params string[] prefixes)
    {
        while (await events.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (events.Reader.TryRead(out var line))
            {
                if (line.StartsWith("fatal ", StringComparison.Ordinal) || prefixes.Any(p => line == p || line.StartsWith(p + " ", StringComparison.Ordinal)))
                {
                    return line;
                }
            }
        }

        return null;
    }

    /// <inheritdoc />
    public void Dispose() => socket.Dispose();

    private async Task ReadAsync()
    {
        var buffer = new byte[4096];
        var line = new List<byte>();
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n')
                    {
                        line.Add(buffer[i]);
                        continue;
                    }

                    var text = Encoding.UTF8.GetString([.. line]);
                    line.Clear();
                    if (text.StartsWith("error ", StringComparison.Ordinal))
                    {
                        lock (errors)
                        {
                            errors.Add(text["error ".Length..]);
                        }
                    }

                    events.Writer.TryWrite(text);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // the VM is gone
        }
        finally
        {
            events.Writer.TryComplete();
        }
    }
}
