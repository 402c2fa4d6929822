namespace ContainerTest.Cli.Terminal;

using System.Runtime.InteropServices;
using ContainerTest.ContainerRuntime.Jobs;
using Microsoft.Win32.SafeHandles;

/// <summary>
/// The user's terminal for an interactive container: raw mode while the session lasts (every key,
/// Ctrl-C included, goes to the container, which echoes), the window size, and SIGWINCH as
/// <see cref="Resized"/>. Disposing restores the terminal as it was. When stdin is not a terminal
/// nothing is changed and the streams are passed through.
/// </summary>
internal sealed class UserTerminal : IJobTerminal, IDisposable
{
    private readonly byte[]? saved;
    private readonly PosixSignalRegistration? windowChanges;

    public UserTerminal()
    {
        Input = new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 0);
        Output = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        if (OperatingSystem.IsWindows() || Libc.isatty(0) != 1)
        {
            return;
        }

        var original = new byte[Libc.TermiosSize];
        if (Libc.tcgetattr(0, original) != 0)
        {
            return;
        }

        var raw = (byte[])original.Clone();
        Libc.cfmakeraw(raw);
        if (Libc.tcsetattr(0, Libc.TcsaNow, raw) == 0)
        {
            saved = original;
        }

        windowChanges = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            context.Cancel = true;
            Resized?.Invoke(this, EventArgs.Empty);
        });
    }

    public event EventHandler? Resized;

    public Stream Input { get; }

    public Stream Output { get; }

    public TerminalSize Size
    {
        get
        {
            var winsize = new ushort[4];
            return !OperatingSystem.IsWindows() && Libc.ioctl(1, Libc.GetWindowSizeRequest, winsize) == 0 && winsize[0] > 0
                ? new TerminalSize(winsize[1], winsize[0])
                : new TerminalSize(80, 24);
        }
    }

    public void Dispose()
    {
        windowChanges?.Dispose();
        if (saved is not null)
        {
            _ = Libc.tcsetattr(0, Libc.TcsaNow, saved);
        }

        Output.Dispose();
    }
}
