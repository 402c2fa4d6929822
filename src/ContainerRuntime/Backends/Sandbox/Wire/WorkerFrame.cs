namespace ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;

using System.Buffers.Binary;

/// <summary>
/// The supervisor's stdout is a sequence of frames: one kind byte, the payload's length (4 bytes,
/// big-endian), the payload. A worker holds one sandbox at a time, so output frames belong to
/// its current job; events name theirs.
/// </summary>
internal static class WorkerFrame
{
    /// <summary>Bytes the current job wrote to its stdout.</summary>
    public const byte Stdout = (byte)'O';

    /// <summary>Bytes the current job wrote to its stderr.</summary>
    public const byte Stderr = (byte)'E';

    /// <summary>A <see cref="WorkerEvent"/> as UTF-8 JSON.</summary>
    public const byte Event = (byte)'J';

    /// <summary>Kind byte and length.</summary>
    public const int HeaderLength = 5;

    /// <summary>The largest payload one frame carries (longer output is cut into several frames).</summary>
    public const int MaxPayload = 1 << 20;

    /// <summary>Writes the header of a frame of <paramref name="kind"/> with <paramref name="length"/> payload bytes.</summary>
    public static void WriteHeader(Span<byte> header, byte kind, int length)
    {
        header[0] = kind;
        BinaryPrimitives.WriteInt32BigEndian(header[1..], length);
    }
}
