namespace OwnerProbe;

using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>Usage: OwnerProbe &lt;image&gt;. Prints "container &lt;id&gt;" once the job runs, then waits forever.</summary>
public static class Program
{
    public static async Task Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        await using var backend = await DockerBackend.ConnectAsync();
        var started = new TaskCompletionSource<string>();
        var job = backend.RunAsync(
            new JobSpec { Image = args[0], Command = ["sh", "-c", "cat > /dev/null; echo stdin closed"], StopWhenOwnerExits = true },
            new StartedObserver(started));
        Console.WriteLine("container " + await started.Task);
        await job;
    }

    private sealed class StartedObserver(TaskCompletionSource<string> started) : IJobObserver
    {
        public void OnStarted(string jobId, string instanceId) => started.TrySetResult(instanceId);

        public void OnOutput(string jobId, OutputChannel channel, ReadOnlySpan<byte> chunk)
        {
        }
    }
}
