namespace ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

using System.Buffers.Binary;

/// <summary>
/// One end of a host–launcher connection (see <see cref="RelayFrame"/>): frames are written whole
/// and in order from any thread, read by one reader, and a heartbeat goes out every
/// <see cref="RelayFrame.HeartbeatInterval"/> once <see cref="StartHeartbeat"/> is called. Reading
/// fails with <see cref="TimeoutException"/> when the other side has been silent for
/// <see cref="RelayFrame.SilenceLimit"/>.
/// </summary>
internal sealed class RelayConnection(Stream stream) : IAsyncDisposable
{
    private readonly SemaphoreSlim writing = new(1);
    private readonly CancellationTokenSource closing = new();
    private readonly byte[] header = new byte[RelayFrame.HeaderLength];
    private Task heartbeat = Task.CompletedTask;
    private int disposed;

    /// <summary>Writes one frame (payloads longer than <see cref="RelayFrame.MaxPayload"/> as several).</summary>
    /// <exception cref="IOException">The connection is broken or closed.</exception>
    public async Task WriteAsync(byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        await writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
            var frameHeader = new byte[RelayFrame.HeaderLength];
            do
            {
                var part = payload[..Math.Min(payload.Length, RelayFrame.MaxPayload)];
                RelayFrame.WriteHeader(frameHeader, kind, part.Length);
                await stream.WriteAsync(frameHeader, cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(part, cancellationToken).ConfigureAwait(false);
                payload = payload[part.Length..];
            }
            while (!payload.IsEmpty);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException ex)
        {
            throw new IOException("The connection is closed.", ex);
        }
        finally
        {
            writing.Release();
        }
    }

    /// <summary>
    /// The next frame other than a heartbeat; null when the other side closed the connection.
    /// </summary>
    /// <exception cref="TimeoutException">Nothing came for <see cref="RelayFrame.SilenceLimit"/>.</exception>
    /// <exception cref="InvalidDataException">What came is not a frame.</exception>
    /// <exception cref="IOException">The connection broke.</exception>
    public async Task<(byte Kind, byte[] Payload)?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (!await ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var kind = header[0];
            var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
            if (!RelayFrame.IsKnown(kind) || length < 0 || length > RelayFrame.MaxPayload)
            {
                throw new InvalidDataException($"The other side wrote something that is not a frame (kind 0x{kind:x2}, length {length}).");
            }

            var payload = new byte[length];
            if (length > 0 && !await ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false))
            {
                throw new IOException("The connection closed in the middle of a frame.");
            }

            if (kind != RelayFrame.Heartbeat)
            {
                return (kind, payload);
            }
        }
    }

    /// <summary>Sends a heartbeat every <see cref="RelayFrame.HeartbeatInterval"/> until disposed or the connection breaks.</summary>
    public void StartHeartbeat() => heartbeat = Task.Run(BeatAsync, CancellationToken.None);

    /// <summary>Stops the heartbeat and closes the connection (the other side reads its end).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await closing.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);
        await writing.WaitAsync().ConfigureAwait(false);
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            writing.Release();
        }

        closing.Dispose();
    }

    private async Task BeatAsync()
    {
        try
        {
            while (!closing.IsCancellationRequested)
            {
                await Task.Delay(RelayFrame.HeartbeatInterval, closing.Token).ConfigureAwait(false);
                await WriteAsync(RelayFrame.Heartbeat, ReadOnlyMemory<byte>.Empty, closing.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Closed, or broken: the reader finds out.
        }
    }

    /// <summary>Fills <paramref name="buffer"/>; false at a clean end before the first byte.</summary>
    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            silence.CancelAfter(RelayFrame.SilenceLimit);
            int read;
            try
            {
                read = await stream.ReadAsync(buffer.AsMemory(filled), silence.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no word for {RelayFrame.SilenceLimit.TotalSeconds:0} s");
            }

            if (read == 0)
            {
                return filled == 0 ? false : throw new IOException("The connection closed in the middle of a frame.");
            }

            filled += read;
        }

        return true;
    }
}
