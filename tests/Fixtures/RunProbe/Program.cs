namespace RunProbe;

using System.Text;
using ContainerTest.ContainerRuntime;
using ContainerTest.ContainerRuntime.Composition;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// Usage: RunProbe sandbox|container LABEL-VALUE [JOBS]. Prints "run &lt;id&gt;" once connected, then
/// runs short jobs (busybox on the host image) through a pool, two at a time, printing "job &lt;n&gt;
/// &lt;termination&gt;" for each, until it is killed — or, given JOBS, until that many ran, then
/// ends normally and prints "done". Every job carries io.containertest.test-probe=LABEL-VALUE.
/// </summary>
public static class Program
{
    private static readonly string[] Applets = ["sh", "sleep", "echo"];

    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var isolation = args[0] == "container" ? JobIsolation.Container : JobIsolation.Sandbox;
        await using var runtime = await JobRuntime.ConnectAsync(new JobRuntimeOptions { Isolation = isolation, OnNotice = n => Console.WriteLine("notice " + n) });
        Console.WriteLine("run " + runtime.RunId);
        var image = await runtime.EnsureHostImageAsync();
        var template = new JobSpec
        {
            Image = image,
            Command = ["/.t/busybox", "sh", "-c", "export PATH=/.t:$PATH; read line; sleep 0.3; echo \"$line\""],
            Layers = [new FileLayer("/.t/busybox", await File.ReadAllBytesAsync("/bin/busybox"), FileLayer.ExecutableMode), .. Applets.Select(n => new SymlinkLayer("/.t/" + n, "busybox"))],
            User = new UserIdentity(1000, 1000),
            Mounts = [new TmpfsMount("/tmp", 16 * 1024 * 1024)],
            Limits = new ResourceLimits(MemoryBytes: 256L * 1024 * 1024, Pids: 256),
            Labels = new Dictionary<string, string> { ["io.containertest.test-probe"] = args[1] },
            StopWhenOwnerExits = true,
        };
        await using var pool = await runtime.CreatePoolAsync(template, new JobPoolOptions(Capacity: 100_000, Parallelism: 2, Depth: 2));
        Console.WriteLine("pool " + pool.InstanceKind);
        var next = 0;
        var jobs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : int.MaxValue;
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var n && n <= jobs)
            {
                var result = await pool.RunAsync(Encoding.UTF8.GetBytes($"job {n}\n"));
                Console.WriteLine($"job {n} {result.Termination} {result.ExitCode} {result.Stdout.Text.Trim()}");
            }
        }));
        await pool.DisposeAsync();
        await runtime.DisposeAsync();
        Console.WriteLine("done");
        return 0;
    }
}
