namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using System.Runtime.InteropServices;

/// <summary>
/// Runs a function on a thread of its own whose effective uid is another user's, for what a
/// non-root user meets (a device it may not open) while the test runs as root. Linux keeps
/// credentials per thread; the raw setresuid system call (not glibc's wrapper, which changes every
/// thread of the process) changes only the calling thread's, and the real and saved uid stay 0,
/// so the thread can become root again before it ends.
/// </summary>
internal static partial class ThreadUser
{
    private const long SetResUid = 117; // x86-64

    public static T RunAs<T>(int uid, Func<T> function)
    {
        T? value = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            if (Syscall(SetResUid, -1, uid, -1) != 0)
            {
                failure = new InvalidOperationException($"setresuid(-1, {uid}, -1) failed: errno {Marshal.GetLastPInvokeError()}");
                return;
            }

            try
            {
                value = function();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                if (Syscall(SetResUid, -1, 0, -1) != 0)
                {
                    Environment.FailFast("A test thread could not become root again.");
                }
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? value! : throw new InvalidOperationException("The function failed as uid " + uid, failure);
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long first, long second, long third);
}
