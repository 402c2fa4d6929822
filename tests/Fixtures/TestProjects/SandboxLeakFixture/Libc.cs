namespace SandboxLeakFixture;

using System.Runtime.InteropServices;

/// <summary>The system calls the tests try.</summary>
internal static partial class Libc
{
    public const int CloneNewUser = 0x10000000;
    public const int CloneNewNs = 0x00020000;
    public const int CloneNewPid = 0x20000000;
    public const int CloneNewNet = 0x40000000;
    public const int IpcCreat = 0x200;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int unshare(int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string source, string target, string type, nuint flags, nint data);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int sethostname(string name, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int shmget(int key, nuint size, int flags);

    /// <summary>errno of the last call, by name where it matters.</summary>
    public static string LastError() => Marshal.GetLastPInvokeErrorMessage() + " (errno " + Marshal.GetLastPInvokeError() + ")";
}
