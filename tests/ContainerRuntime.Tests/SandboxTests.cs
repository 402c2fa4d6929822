namespace ContainerTest.ContainerRuntime.Tests;

using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

[TestClass]
public sealed class SandboxTests
{
    private static readonly UserIdentity NonRoot = new(1000, 1000);

    [TestMethod]
    public async Task Tmpfs_is_writable_while_the_images_system_directories_are_not()
    {
        var spec = Toolbox.Shell(
            "echo data > /tmp/file && cat /tmp/file; " +
            "if touch /bin/intruder 2>/dev/null; then echo bin-writable; else echo bin-read-only; fi; " +
            "if touch /etc/intruder 2>/dev/null; then echo etc-writable; else echo etc-read-only; fi") with
        {
            User = NonRoot,
            Mounts = [new TmpfsMount("/tmp", 8 * 1024 * 1024)],
        };

        var result = await spec.RunAsync();

        Assert.AreEqual("data\nbin-read-only\netc-read-only\n", result.Stdout.Text, result.Stderr.Text);
    }

    [TestMethod]
    public async Task Tmpfs_size_is_a_hard_limit()
    {
        var spec = Toolbox.Shell("dd if=/dev/zero of=/tmp/big bs=1M count=3; echo status=$?") with
        {
            User = NonRoot,
            Mounts = [new TmpfsMount("/tmp", 1024 * 1024)],
        };

        var result = await spec.RunAsync();

        StringAssert.Contains(result.Stdout.Text, "status=1");
        StringAssert.Contains(result.Stderr.Text, "No space left on device");
    }

    [TestMethod]
    public async Task A_read_only_root_file_system_refuses_writes_even_to_root()
    {
        var spec = Toolbox.Shell("if touch /intruder 2>/dev/null; then echo writable; else echo read-only; fi; echo ok > /scratch/x && cat /scratch/x") with
        {
            Security = SecurityOptions.Hardened with { ReadOnlyRootFilesystem = true },
            Mounts = [new TmpfsMount("/scratch", 1024 * 1024)],
        };

        var result = await spec.RunAsync();

        Assert.AreEqual("read-only\nok\n", result.Stdout.Text, result.Stderr.Text);
    }

    [TestMethod]
    public async Task Hardened_jobs_have_no_capabilities_and_cannot_gain_privileges()
    {
        var hardened = await Toolbox.Shell("grep -E '^(CapEff|NoNewPrivs)' /proc/self/status").RunAsync();
        var engineDefault = await (Toolbox.Shell("grep -E '^(CapEff|NoNewPrivs)' /proc/self/status") with { Security = SecurityOptions.EngineDefault }).RunAsync();

        StringAssert.Contains(hardened.Stdout.Text, "CapEff:\t0000000000000000");
        StringAssert.Contains(hardened.Stdout.Text, "NoNewPrivs:\t1");
        Assert.IsFalse(engineDefault.Stdout.Text.Contains("CapEff:\t0000000000000000", StringComparison.Ordinal), "control: without hardening root keeps capabilities");
        StringAssert.Contains(engineDefault.Stdout.Text, "NoNewPrivs:\t0");
    }

    [TestMethod]
    public async Task The_pids_limit_stops_a_fork_bomb()
    {
        // Two hundred background sleepers against a limit of 32 processes.
        var spec = Toolbox.Shell("for i in $(seq 1 200); do sleep 5 & done; echo spawned; wait") with
        {
            Limits = new ResourceLimits(Pids: 32),
            Timeout = TimeSpan.FromSeconds(45),
        };

        var result = await spec.RunAsync();

        Assert.AreEqual(TerminationReason.Exited, result.Termination);
        StringAssert.Contains(result.Stderr.Text, "can't fork");
    }

    [TestMethod]
    public async Task Exceeding_the_memory_limit_is_reported_as_out_of_memory()
    {
        // tail keeps a line without newline in memory until it ends: 256 MB against a 32 MB limit,
        // in the job's own process (exec), which the OOM killer then ends.
        var spec = Toolbox.Shell("echo before; exec tail -n 1 /dev/zero") with
        {
            Limits = new ResourceLimits(MemoryBytes: 32 * 1024 * 1024),
        };

        var result = await spec.RunAsync();

        Assert.AreEqual(TerminationReason.OutOfMemory, result.Termination, $"exit {result.ExitCode}, stdout '{result.Stdout.Text}', stderr '{result.Stderr.Text}'");
        StringAssert.StartsWith(result.Stdout.Text, "before");
    }

    [TestMethod]
    public async Task Cpu_limit_becomes_a_cfs_quota()
    {
        var spec = Toolbox.Shell("cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max") with
        {
            Limits = new ResourceLimits(Cpus: 0.5),
        };

        var result = await spec.RunAsync();

        var numbers = result.Stdout.Text.Split((char[])['\n', ' '], StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
        Assert.AreEqual(2, numbers.Length, result.Stdout.Text);
        Assert.AreEqual(0.5, (double)numbers[0] / numbers[1], 0.001);
    }
}
