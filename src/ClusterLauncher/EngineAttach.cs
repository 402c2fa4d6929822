namespace ContainerTest.ClusterLauncher;

using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

/// <summary>
/// A container's attached stdin, stdout and stderr on the node's engine: the Engine API's attach
/// request, upgraded to a raw stream (HTTP 101), over which writes go to the container's stdin and
/// the output arrives multiplexed (an 8-byte header per chunk: stream type, three zero bytes, the
/// length as a big-endian uint32).
/// </summary>
internal sealed class EngineAttach : IAsyncDisposable
{
    private readonly NetworkStream stream;
    private readonly byte[] header = new byte[8];

    private EngineAttach(NetworkStream stream) => this.stream = stream;

    /// <summary>Attaches to container <paramref name="id"/> (before it starts, so nothing it writes is missed).</summary>
    /// <exception cref="EngineException">The engine refused.</exception>
    public static async Task<EngineAttach> OpenAsync(string id, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(EngineApi.SocketPath), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            var request = $"POST /{EngineApi.Version}/containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\n"
                + "Host: engine\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken).ConfigureAwait(false);

            // The response head, byte by byte: what follows it is the container's own stream.
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0 || head.Length > 16384)
                {
                    throw new EngineException($"the engine ended the attach request without an answer ({head.ToString().Trim()})");
                }

                head.Append((char)one[0]);
            }

            var status = head.ToString().Split(' ', 3);
            if (status.Length < 2 || status[1] is not ("101" or "200"))
            {
                throw new EngineException($"the engine refused to attach: {head.ToString().Split('\n')[0].Trim()}");
            }

            return new EngineAttach(stream);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Writes to the container's stdin.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => stream.WriteAsync(bytes, cancellationToken);

    /// <summary>The next chunk of output: 1 for stdout, 2 for stderr; null at the end.</summary>
    public async Task<(int Stream, byte[] Bytes)?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(header, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        var bytes = new byte[length];
        if (!await FillAsync(bytes, cancellationToken).ConfigureAwait(false) && length > 0)
        {
            return null;
        }

        return (header[0], bytes);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => stream.DisposeAsync();

    private async Task<bool> FillAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }
}
