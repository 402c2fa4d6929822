namespace ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

using System.Buffers.Binary;

/// <summary>
/// What the test host and a launcher on a cluster node say to each other over their TCP
/// connection: a sequence of frames, each one kind byte, the payload's length (4 bytes,
/// big-endian) and the payload. The worker's own stdin and stdout (the sandbox supervisor's lines
/// and frames) travel inside <see cref="Input"/>, <see cref="Stdout"/> and <see cref="Stderr"/>
/// frames unchanged. Both sides send a <see cref="Heartbeat"/> every <see cref="HeartbeatInterval"/>
/// and take the other for gone after <see cref="SilenceLimit"/> without any frame: a node that dies
/// without a word (power, network) is noticed, and nothing waits on it for ever. Shared, as
/// source, by the host (ContainerRuntime) and the launcher (ClusterLauncher).
/// </summary>
internal static class RelayFrame
{
    /// <summary>Launcher → host, first: a <see cref="LauncherHello"/>.</summary>
    public const byte Hello = (byte)'h';

    /// <summary>Host → launcher, after the hello: the worker's create request (a <see cref="WorkerPlan"/>).</summary>
    public const byte Plan = (byte)'P';

    /// <summary>Launcher → host: the worker container runs (a <see cref="WorkerStarted"/>).</summary>
    public const byte Started = (byte)'S';

    /// <summary>Host → launcher: bytes for the worker's stdin.</summary>
    public const byte Input = (byte)'I';

    /// <summary>Launcher → host: bytes the worker wrote to its stdout.</summary>
    public const byte Stdout = (byte)'O';

    /// <summary>Launcher → host: bytes the worker wrote to its stderr.</summary>
    public const byte Stderr = (byte)'E';

    /// <summary>Host → launcher: kill the worker now (it is removed) and end.</summary>
    public const byte Kill = (byte)'K';

    /// <summary>Launcher → host, last: how the worker ended (a <see cref="WorkerEnded"/>).</summary>
    public const byte Ended = (byte)'X';

    /// <summary>Either way: still here (empty payload).</summary>
    public const byte Heartbeat = (byte)'H';

    /// <summary>Kind byte and length.</summary>
    public const int HeaderLength = 5;

    /// <summary>The largest payload one frame carries (longer output is cut into several frames).</summary>
    public const int MaxPayload = 1 << 20;

    /// <summary>How often each side says it is still there.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long without any frame before the other side counts as gone.</summary>
    public static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(10);

    /// <summary>True for the kinds above.</summary>
    public static bool IsKnown(byte kind) => kind is Hello or Plan or Started or Input or Stdout or Stderr or Kill or Ended or Heartbeat;

    /// <summary>Writes the header of a frame of <paramref name="kind"/> with <paramref name="length"/> payload bytes.</summary>
    public static void WriteHeader(Span<byte> header, byte kind, int length)
    {
        header[0] = kind;
        BinaryPrimitives.WriteInt32BigEndian(header[1..], length);
    }
}
