namespace ContainerTest.ContainerRuntime.Jobs;

using System.Buffers;

/// <summary>Collects a stream's bytes up to a limit and counts the rest. Not thread-safe: one reader feeds it.</summary>
internal sealed class BoundedOutputBuffer(long limitBytes)
{
    private readonly ArrayBufferWriter<byte> kept = new();
    private long total;

    public void Append(ReadOnlySpan<byte> chunk)
    {
        total += chunk.Length;
        var room = limitBytes - kept.WrittenCount;
        if (room > 0)
        {
            kept.Write(chunk[..(int)Math.Min(room, chunk.Length)]);
        }
    }

    public CapturedOutput ToCapturedOutput() =>
        total == 0 ? CapturedOutput.Empty : new CapturedOutput(kept.WrittenMemory.ToArray(), total);
}
