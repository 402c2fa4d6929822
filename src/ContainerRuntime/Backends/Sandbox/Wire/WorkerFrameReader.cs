namespace ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;

using System.Buffers;
using System.Buffers.Binary;

/// <summary>
/// Cuts the supervisor's stdout, as it arrives in chunks of any size, back into frames
/// (see <see cref="WorkerFrame"/>). Not thread-safe: one reader feeds it.
/// </summary>
internal sealed class WorkerFrameReader
{
    private readonly ArrayBufferWriter<byte> pending = new();

    /// <summary>Takes a chunk and calls <paramref name="onFrame"/> for every frame it completes, in order.</summary>
    /// <exception cref="InvalidDataException">The stream is not a sequence of frames (a corrupt or foreign writer).</exception>
    public void Append(ReadOnlySpan<byte> chunk, FrameHandler onFrame)
    {
        pending.Write(chunk);
        var data = pending.WrittenSpan;
        var consumed = 0;
        while (data.Length - consumed >= WorkerFrame.HeaderLength)
        {
            var kind = data[consumed];
            var length = BinaryPrimitives.ReadInt32BigEndian(data.Slice(consumed + 1, 4));
            if (kind is not (WorkerFrame.Stdout or WorkerFrame.Stderr or WorkerFrame.Event) || length < 0 || length > WorkerFrame.MaxPayload)
            {
                throw new InvalidDataException($"The worker's supervisor wrote something that is not a frame (kind 0x{kind:x2}, length {length}).");
            }

            if (data.Length - consumed - WorkerFrame.HeaderLength < length)
            {
                break;
            }

            onFrame(kind, data.Slice(consumed + WorkerFrame.HeaderLength, length));
            consumed += WorkerFrame.HeaderLength + length;
        }

        if (consumed > 0)
        {
            var rest = data[consumed..].ToArray();
            pending.Clear();
            pending.Write(rest);
        }
    }

    /// <summary>Called with each complete frame.</summary>
    public delegate void FrameHandler(byte kind, ReadOnlySpan<byte> payload);
}
