namespace ContainerTest.ContainerRuntime.Jobs;

using System.Text;

/// <summary>What a job wrote to one stream, up to the capture limit.</summary>
/// <param name="Bytes">The bytes kept: the first <see cref="JobSpec.OutputLimitBytes"/> written.</param>
/// <param name="TotalBytes">Everything the job wrote to the stream, kept or not.</param>
public sealed record CapturedOutput(ReadOnlyMemory<byte> Bytes, long TotalBytes)
{
    /// <summary>Nothing written.</summary>
    public static CapturedOutput Empty { get; } = new(ReadOnlyMemory<byte>.Empty, 0);

    /// <summary>True when the job wrote more than was kept.</summary>
    public bool Truncated => TotalBytes > Bytes.Length;

    /// <summary>The kept bytes as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Bytes.Span);

    /// <inheritdoc />
    public override string ToString() => Text;
}
