// Cold boot against restore from a saved state, for the qemu backend: wall time per job and the
// CPU all of the run's processes spent per job (this process and every QEMU it started), with
// the same template twice — once every job's VM boots (Snapshots off), once every job's VM
// starts from the saved state of a VM whose command already waits for its input.
// Usage (bench/run.sh QemuBoot does this): dotnet run QemuBoot.cs -- <Waiter.dll folder> <busybox folder> [jobs]
#:project ../../src/ContainerRuntime/ContainerRuntime.csproj
#:property Nullable=enable
#:property TreatWarningsAsErrors=false
#:property PublishAot=false

using System.Diagnostics;
using System.Runtime.InteropServices;
using ContainerTest.ContainerRuntime;
using ContainerTest.ContainerRuntime.Backends.Qemu;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;

// The program lies in a copy-on-write folder, as a test's output does: that becomes a disk image the VM
// has at boot, where the command starts before the state is saved (a read-only folder is a 9p
// share, mounted only at the job's turn).
var waiter = Path.GetFullPath(args[0]);
var tools = Path.GetFullPath(args[1]);
var jobs = args.Length > 2 ? int.Parse(args[2]) : 6;
// The host image holds this machine's .NET where it is here: <root>/shared/Microsoft.NETCore.App/<version>/.
var dotnet = Path.Combine(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..")), "dotnet");
Console.WriteLine("| template | start of each job's VM | jobs | wall per job (s) | pool start (s) | CPU per job, pool start included (s) |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var (name, command, layers) in new[]
{
    ("busybox `read`", new[] { "/.ct/tools/busybox", "sh", "-c", "read line; echo got $line" }, new[] { new HostDirectoryLayer(tools, "/.ct/tools") }),
    (".NET program awaiting its stdin", new[] { dotnet, "/.ct/waiter/Waiter.dll" }, new[] { new HostDirectoryLayer(waiter, "/.ct/waiter", LayerAccess.CopyOnWrite) }),
})
{
    foreach (var snapshots in new[] { false, true })
    {
        await using var backend = await QemuBackend.ConnectAsync(new QemuBackendOptions { Snapshots = snapshots, OnNotice = notice => Console.Error.WriteLine(notice) });
        var image = await backend.EnsureHostImageAsync();
        var template = new JobSpec { Image = image, Command = command, Layers = layers, StopWhenOwnerExits = true, Limits = new ResourceLimits(MemoryBytes: 512L << 20, Cpus: 1) };
        var cpu = Cpu();
        var clock = Stopwatch.StartNew();
        var pool = await backend.CreatePoolAsync(template, new JobPoolOptions(Capacity: jobs, Parallelism: 1, Depth: 0));
        var poolStart = clock.Elapsed.TotalSeconds;
        clock.Restart();
        for (var i = 0; i < jobs; i++)
        {
            var result = await pool.RunAsync(System.Text.Encoding.UTF8.GetBytes($"job{i}\n"));
            if (result.ExitCode != 0 || !result.Stdout.Text.Contains($"job{i}"))
            {
                throw new InvalidOperationException($"job {i}: {result.Termination} {result.ExitCode} {result.FailureCause} {result.Stdout.Text} {result.Stderr.Text}");
            }
        }

        var wall = clock.Elapsed.TotalSeconds / jobs;
        await pool.DisposeAsync(); // every QEMU of the pool ends and is counted
        cpu = (Cpu() - cpu) / jobs;
        Console.WriteLine($"| {name} | {(snapshots ? "restored from the saved state" : "cold boot")} | {jobs} | {wall:0.00} | {poolStart:0.0} | {cpu:0.00} |");
    }
}

// This process's CPU and that of its children that ended (every QEMU, through its launcher).
static double Cpu()
{
    Usage self = default, children = default;
    _ = getrusage(0, ref self);
    _ = getrusage(-1, ref children);
    return self.Seconds + children.Seconds;
}

[DllImport("libc")]
static extern int getrusage(int who, ref Usage usage);

[StructLayout(LayoutKind.Sequential)]
struct Usage
{
    public long UserSec, UserUsec, SysSec, SysUsec;
    public long R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13, R14;
    public readonly double Seconds => UserSec + SysSec + (UserUsec + SysUsec) / 1e6;
}
