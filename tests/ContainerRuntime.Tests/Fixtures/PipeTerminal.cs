namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using System.IO.Pipelines;
using System.Text;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// A terminal for an interactive job that a test types into and reads from: its input is a pipe
/// the test writes lines to, its output is kept as text. A fixed 80×24 window.
/// </summary>
internal sealed class PipeTerminal : IJobTerminal, IDisposable
{
    private readonly Pipe keys = new();
    private readonly KeptOutput screen = new();

    public PipeTerminal() => Input = keys.Reader.AsStream();

    public event EventHandler? Resized
    {
        add { }
        remove { }
    }

    public Stream Input { get; }

    public Stream Output => screen;

    public TerminalSize Size => new(80, 24);

    /// <summary>Everything the job has written so far.</summary>
    public string Text => screen.Text;

    /// <summary>Types <paramref name="line"/> and Enter.</summary>
    public async Task TypeLineAsync(string line)
    {
        await keys.Writer.WriteAsync(Encoding.UTF8.GetBytes(line + "\r"));
    }

    /// <summary>Waits until the output holds <paramref name="text"/>, for up to <paramref name="limit"/>.</summary>
    public async Task<bool> WaitForAsync(string text, TimeSpan limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!Text.Contains(text, StringComparison.Ordinal))
        {
            if (clock.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    public void Dispose()
    {
        keys.Writer.Complete();
        Input.Dispose();
    }

    /// <summary>A write-only stream that keeps what is written, as text.</summary>
    private sealed class KeptOutput : Stream
    {
        private readonly StringBuilder text = new();

        public string Text
        {
            get
            {
                lock (text)
                {
                    return text.ToString();
                }
            }
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (text)
            {
                text.Append(Encoding.UTF8.GetString(buffer, offset, count));
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
