namespace ContainerTest.SandboxSupervisor;

using System.Runtime.InteropServices;

/// <summary>
/// The libc calls the supervisor needs beyond .NET's own: descriptors a child inherits (bubblewrap
/// takes its seccomp program and its synchronisation pipes as inherited descriptors; .NET opens
/// everything close-on-exec), and limits set on another process.
/// </summary>
internal static unsafe partial class Libc
{
    /// <summary>RLIMIT_NPROC: processes and threads per user (counted per user namespace since Linux 5.14).</summary>
    public const int RlimitNproc = 6;

    /// <summary>SIGKILL.</summary>
    public const int SigKill = 9;

    private const int FdCloexec = 1;
    private const int FSetFd = 2;
    private const int ORdOnly = 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int pipe2(int* fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFile(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prlimit(int pid, int resource, Rlimit* newLimit, Rlimit* oldLimit);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc")]
    private static partial uint getegid();

    /// <summary>This process's effective uid.</summary>
    public static int EffectiveUid => (int)geteuid();

    /// <summary>This process's effective gid.</summary>
    public static int EffectiveGid => (int)getegid();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    /// <summary>
    /// A pipe one end of which the next child started inherits: the read end when
    /// <paramref name="childReads"/>, else the write end. The other end is ours alone (close-on-exec).
    /// </summary>
    public static (int Read, int Write) InheritablePipe(bool childReads)
    {
        var fds = stackalloc int[2];
        Check(pipe2(fds, 0), "pipe2");
        Check(fcntl(childReads ? fds[1] : fds[0], FSetFd, FdCloexec), "fcntl");
        return (fds[0], fds[1]);
    }

    /// <summary>Opens a file for reading, as a descriptor the next child inherits.</summary>
    public static int OpenInheritable(string path) => Check(OpenFile(path, ORdOnly), "open " + path);

    /// <summary>Closes a descriptor (-1 is ignored).</summary>
    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            close(fd);
        }
    }

    /// <summary>Reads everything until the end of the stream.</summary>
    public static byte[] ReadToEnd(int fd)
    {
        using var buffer = new MemoryStream();
        var chunk = stackalloc byte[4096];
        while (true)
        {
            var count = read(fd, chunk, 4096);
            if (count < 0 && Marshal.GetLastPInvokeError() == 4 /* EINTR */)
            {
                continue;
            }

            if (count <= 0)
            {
                return buffer.ToArray();
            }

            buffer.Write(new ReadOnlySpan<byte>(chunk, (int)count));
        }
    }

    /// <summary>Writes one byte (ignoring a reader that is gone).</summary>
    public static void WriteByte(int fd)
    {
        byte one = 1;
        write(fd, &one, 1);
    }

    /// <summary>Sets <paramref name="resource"/>'s soft and hard limit of process <paramref name="pid"/>.</summary>
    public static void SetLimit(int pid, int resource, ulong limit)
    {
        var value = new Rlimit { Current = limit, Maximum = limit };
        Check(prlimit(pid, resource, &value, null), "prlimit");
    }

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when it is gone.</summary>
    public static bool Kill(int pid, int signal) => SendSignal(pid, signal) == 0;

    private static int Check(int result, string call) =>
        result >= 0 ? result : throw new IOException($"{call} failed: {Marshal.GetLastPInvokeErrorMessage()} (errno {Marshal.GetLastPInvokeError()}).");

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
