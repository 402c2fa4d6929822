namespace ContainerTest.SandboxSupervisor;

using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

/// <summary>
/// The one thread that starts every sandbox, alive as long as the supervisor. bubblewrap runs with
/// <c>--die-with-parent</c>, whose signal (PR_SET_PDEATHSIG) the kernel sends when the
/// <em>thread</em> that forked it exits, not the process; .NET retires a thread-pool thread idle
/// for 20 s, so a sandbox started from one was SIGKILLed 20 s later while its job still ran
/// (seen as an interactive shell dying after 20 s idle). Forking from this thread only, the signal
/// comes when the supervisor dies, as meant.
/// </summary>
internal static class SpawningThread
{
    private static readonly BlockingCollection<Action> Work = [];

    static SpawningThread()
    {
        var thread = new Thread(() =>
        {
            foreach (var work in Work.GetConsumingEnumerable())
            {
                work();
            }
        })
        {
            IsBackground = true,
            Name = "sandbox spawner",
        };
        thread.Start();
    }

    /// <summary>Runs <paramref name="start"/> on the spawning thread and returns what it returns (or throws what it throws).</summary>
    public static T Run<T>(Func<T> start)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        using var done = new ManualResetEventSlim();
        Work.Add(() =>
        {
            try
            {
                result = start();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        failure?.Throw();
        return result;
    }
}
