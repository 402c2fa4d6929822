namespace ContainerTest.Cli.Terminal;

using System.Runtime.InteropServices;

/// <summary>The few libc calls a raw terminal needs (Linux and macOS).</summary>
internal static partial class Libc
{
    /// <summary>Bytes reserved for a <c>struct termios</c>: larger than any platform's, which is all its handling needs.</summary>
    public const int TermiosSize = 256;

    /// <summary>tcsetattr: apply now.</summary>
    public const int TcsaNow = 0;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int isatty(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int tcgetattr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int tcsetattr(int fd, int optionalActions, [In] byte[] termios);

    [LibraryImport("libc")]
    public static partial void cfmakeraw([In, Out] byte[] termios);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, [Out] ushort[] winsize);

    /// <summary>TIOCGWINSZ: Linux's number, then the BSDs' (macOS).</summary>
    public static nuint GetWindowSizeRequest => OperatingSystem.IsLinux() ? (nuint)0x5413 : (nuint)0x40087468;
}
