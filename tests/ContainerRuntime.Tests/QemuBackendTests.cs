namespace ContainerTest.ContainerRuntime.Tests;

using System.Diagnostics;
using System.Runtime.Versioning;
using ContainerTest.ContainerRuntime.Backends.Qemu;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Network;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

/// <summary>
/// The qemu backend on a real QEMU and a real Debian kernel (TCG on a machine without usable KVM:
/// slow, so the tests are few and each checks much). Run nuget/native/kernel.sh once for the kernel.
/// </summary>
[TestClass]
[DoNotParallelize]
[SupportedOSPlatform("linux")]
public sealed class QemuBackendTests
{
    private static readonly string[] OnlySeed = ["seed.txt"];

    private static QemuMachine? machine;

    private static QemuMachine Machine => machine ?? throw new InvalidOperationException("The class fixture did not run.");

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        machine = await QemuMachine.StartAsync(context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (machine is not null)
        {
            var folder = machine.Backend.RunFolder;
            await machine.DisposeAsync();
            Assert.IsFalse(Directory.Exists(folder), $"{folder} is still there after the backend was disposed.");
            Assert.AreEqual(0, QemuMachine.QemuProcesses(folder).Count, "A QEMU of the run is still running after the backend was disposed.");
        }
    }

    [TestMethod]
    [Timeout(600_000)]
    public async Task A_job_gets_its_environment_user_working_directory_limits_and_streams_and_no_network_and_its_exit_code_comes_back()
    {
        // A project under /tmp: the job's tmpfs at /tmp must not hide its folder.
        using var project = new TemporaryDirectory();
        File.WriteAllText(Path.Combine(project.Path, "seed.txt"), "from the host");
        var result = await Machine.Backend.RunAsync(Machine.Shell(
            "echo \"greeting=$GREETING\"; echo \"id=$(id -u):$(id -g)\"; echo \"cwd=$(pwd)\"; echo \"cpus=$(nproc)\"; "
            + "echo \"memory.max=$(cat /sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/memory.max)\"; echo \"net=$(ls /sys/class/net | tr '\\n' ' ')\"; echo \"seed=$(cat seed.txt)\"; echo to-err >&2; exit 7") with
        {
            Layers = [new HostDirectoryLayer(Machine.ToolsFolder, QemuMachine.Tools), new HostDirectoryLayer(project.Path, "/tmp/project/out", LayerAccess.CopyOnWrite)],
            Mounts = [new TmpfsMount("/tmp", 64L << 20)],
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello from the host", ["PATH"] = QemuMachine.Tools },
            User = new UserIdentity(1234, 2345),
            WorkingDirectory = "/tmp/project/out",
            Limits = new ResourceLimits(MemoryBytes: 300L << 20, Cpus: 1),
        });

        Assert.AreEqual(TerminationReason.Exited, result.Termination, result.FailureCause);
        Assert.AreEqual(7, result.ExitCode);
        Assert.AreEqual($"greeting=hello from the host\nid=1234:2345\ncwd=/tmp/project/out\ncpus=1\nmemory.max={300L << 20}\nnet=lo \nseed=from the host\n", result.Stdout.Text);
        Assert.AreEqual("to-err\n", result.Stderr.Text);
        Assert.AreEqual("VM", result.InstanceKind);
        Assert.AreEqual(0, QemuMachine.QemuProcesses(result.InstanceId!).Count, "The job's VM is still running after its job.");
    }

    [TestMethod]
    [Timeout(900_000)]
    public async Task Pooled_jobs_start_from_a_saved_VM_each_with_a_kernel_boot_and_files_of_its_own()
    {
        using var output = new TemporaryDirectory();
        File.WriteAllText(Path.Combine(output.Path, "seed.txt"), "from the host");
        var template = Machine.Shell(
            "read request; echo \"request=$request\"; echo \"boot=$(cat /proc/sys/kernel/random/boot_id)\"; echo \"host=$(hostname)\"; "
            + "echo \"files=$(ls /out | tr '\\n' ' ')\"; echo \"tmp=$(ls -A /tmp | tr '\\n' ' ')\"; echo \"id=$(id -u)\"; "
            + "echo mine > /out/marker-$request; touch /tmp/left-by-$request; echo changed > /out/seed.txt") with
        {
            Layers = [new HostDirectoryLayer(Machine.ToolsFolder, QemuMachine.Tools), new HostDirectoryLayer(output.Path, "/out", LayerAccess.CopyOnWrite)],
            Mounts = [new TmpfsMount("/tmp", 64L << 20)],
            User = new UserIdentity(1000, 1000),
            Limits = new ResourceLimits(MemoryBytes: 512L << 20, Pids: 256),
            StopWhenOwnerExits = true,
        };

        await using var pool = await Machine.Backend.CreatePoolAsync(template, new JobPoolOptions(Capacity: 3, Parallelism: 2, Depth: 1));
        Assert.IsTrue(((QemuVmPool)pool).FromSavedState, "The pool's VMs did not start from a saved state.");
        var results = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => pool.RunAsync(System.Text.Encoding.UTF8.GetBytes($"r{i}\n"))));

        var hostBoot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        var boots = new List<string>();
        for (var i = 0; i < results.Length; i++)
        {
            var result = results[i];
            Assert.AreEqual(TerminationReason.Exited, result.Termination, result.FailureCause + result.Stderr.Text);
            Assert.AreEqual(0, result.ExitCode, result.Stderr.Text);
            var lines = result.Stdout.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            Assert.AreEqual($"r{i + 1}", lines["request"]);
            Assert.AreEqual("seed.txt ", lines["files"], "A marker another job left in its copy of the folder is visible.");
            Assert.AreEqual(string.Empty, lines["tmp"], "Another job's /tmp file is visible.");
            Assert.AreEqual("1000", lines["id"]);
            Assert.AreEqual(result.InstanceId, lines["host"]);
            boots.Add(lines["boot"]);
        }

        Assert.AreEqual(3, boots.Distinct().Count(), $"Two jobs share a kernel boot id: {string.Join(", ", boots)}");
        CollectionAssert.DoesNotContain(boots, hostBoot, "A job reports the host's own boot id.");
        Assert.AreEqual("from the host", File.ReadAllText(Path.Combine(output.Path, "seed.txt")), "A job changed the host's folder.");
        CollectionAssert.AreEqual(OnlySeed, Directory.GetFiles(output.Path).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    [Timeout(600_000)]
    public async Task A_crash_and_a_hang_past_the_timeout_end_only_their_own_VM_and_keep_their_output()
    {
        var crash = Machine.Backend.RunAsync(Machine.Shell("echo before-crash; kill -SEGV $$"));
        var hang = Machine.Backend.RunAsync(Machine.Shell("echo before-hang; sleep 600") with { Timeout = TimeSpan.FromSeconds(10) });
        var results = await Task.WhenAll(crash, hang);

        Assert.AreEqual(TerminationReason.Exited, results[0].Termination, results[0].FailureCause);
        Assert.AreEqual(128 + 11, results[0].ExitCode);
        Assert.AreEqual("before-crash\n", results[0].Stdout.Text);
        Assert.AreEqual(TerminationReason.TimedOut, results[1].Termination, results[1].FailureCause);
        Assert.AreEqual("before-hang\n", results[1].Stdout.Text);
        Assert.IsTrue(results[1].Duration < TimeSpan.FromSeconds(60), $"The hang ran {results[1].Duration} past a 10 s timeout.");
        Assert.AreEqual(0, QemuMachine.QemuProcesses(results[1].InstanceId!).Count, "The timed-out VM is still running.");
    }

    [TestMethod]
    public async Task A_job_needing_what_a_VM_cannot_give_is_refused_not_run_without_it()
    {
        var spec = Machine.Shell("true") with { Network = NetworkPolicy.Allow(new NetworkEndpoint("example.com", 443)) };

        var refused = await Assert.ThrowsExactlyAsync<UnsupportedCapabilityException>(() => Machine.Backend.RunAsync(spec));

        Assert.AreEqual("qemu", refused.Backend);
        Assert.AreEqual(BackendCapabilities.NetworkAllowList, refused.Missing);
    }

    [TestMethod]
    public void The_first_notice_says_which_accelerator_runs_the_VMs_and_what_it_costs()
    {
        var notice = Machine.Notices[0];
        if (Machine.Backend.Accelerator == QemuAccelerator.Tcg)
        {
            StringAssert.Contains(notice, "TCG");
            StringAssert.Contains(notice, "slower");
            StringAssert.Contains(notice, File.Exists("/dev/kvm") ? "KVM is present but cannot run" : "no /dev/kvm");
        }
        else
        {
            StringAssert.Contains(notice, "KVM");
        }
    }

    [TestMethod]
    public async Task Without_QEMU_or_a_kernel_the_backend_says_what_is_missing_and_how_to_get_it()
    {
        var noQemu = await Assert.ThrowsExactlyAsync<BackendUnavailableException>(() => QemuBackend.ConnectAsync(new QemuBackendOptions { QemuPath = "/nonexistent/qemu-system-x86_64" }));
        StringAssert.Contains(noQemu.Message, "apt-get install");

        using var empty = new TemporaryDirectory();
        var noKernel = await Assert.ThrowsExactlyAsync<BackendUnavailableException>(() => QemuBackend.ConnectAsync(new QemuBackendOptions { Kernel = empty.Path }));
        StringAssert.Contains(noKernel.Message, "holds no boot/vmlinuz");
        StringAssert.Contains(noKernel.Message, "kernel.sh");

        // A kernel whose modules lack 9p (as Debian's cloud kernel does).
        using var partial = new TemporaryDirectory();
        var kernel = Machine.Backend.Kernel;
        var version = Path.GetFileName(kernel)["vmlinuz-".Length..];
        Directory.CreateDirectory(Path.Combine(partial.Path, "boot"));
        File.Copy(kernel, Path.Combine(partial.Path, "boot", Path.GetFileName(kernel)));
        var modules = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(kernel)!)!, "lib", "modules", version);
        foreach (var module in Directory.EnumerateFiles(modules, "*.ko", SearchOption.AllDirectories).Where(m => !m.Contains("/9p/", StringComparison.Ordinal)))
        {
            var target = Path.Combine(partial.Path, "lib", "modules", version, Path.GetRelativePath(modules, module));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(module, target);
        }

        var noDriver = await Assert.ThrowsExactlyAsync<BackendUnavailableException>(() => QemuBackend.ConnectAsync(new QemuBackendOptions { Kernel = partial.Path }));
        StringAssert.Contains(noDriver.Message, "has no 9p");
        StringAssert.Contains(noDriver.Message, "linux-image-amd64");
    }

    [TestMethod]
    public void KVM_missing_or_not_permitted_means_TCG_with_the_cause_and_the_fix_in_the_first_message()
    {
        var missing = AcceleratorChoice.FromDevice("/nonexistent/kvm");
        Assert.AreEqual(QemuAccelerator.Tcg, missing?.Accelerator);
        StringAssert.Contains(missing!.Notice, "no /nonexistent/kvm");
        StringAssert.Contains(missing.Notice, "modprobe kvm");

        if (!File.Exists(AcceleratorChoice.KvmDevice) || Environment.UserName != "root")
        {
            Assert.Inconclusive($"Needs {AcceleratorChoice.KvmDevice} and root (to act as another user) to see KVM present but not permitted.");
        }

        // The real device, opened as a user outside its group (crw------- root root here).
        var forbidden = ThreadUser.RunAs(65534, () => AcceleratorChoice.FromDevice(AcceleratorChoice.KvmDevice));
        Assert.AreEqual(QemuAccelerator.Tcg, forbidden?.Accelerator);
        StringAssert.Contains(forbidden!.Notice, "KVM present but not permitted");
        StringAssert.Contains(forbidden.Notice, "usermod -aG kvm");
        StringAssert.Contains(forbidden.Notice, "slower");
        Assert.IsNull(AcceleratorChoice.FromDevice(AcceleratorChoice.KvmDevice), "root may open /dev/kvm, yet it was refused.");
    }

    [TestMethod]
    [Timeout(120_000)]
    public async Task A_test_host_killed_outright_takes_its_QEMU_with_it()
    {
        // The launcher as the backend starts it, its stdin a pipe held only by a shell that is then
        // SIGKILLed, as a test host is on Ctrl-C; QEMU without a machine idles until killed.
        var launcher = VmAssets.Require().Launcher;
        var marker = "containertest-orphan-" + Guid.NewGuid().ToString("N")[..8];
        var qemu = QemuInstallation.Locate(null).Path;
        using var owner = Process.Start(new ProcessStartInfo("/bin/bash")
        {
            ArgumentList = { "-c", $"exec 3> >(exec {launcher} {qemu} -M none -name {marker} -nodefaults -display none); exec sleep 600" },
            UseShellExecute = false,
            RedirectStandardInput = true,
        })!;
        await WaitUntilAsync(() => QemuMachine.QemuProcesses(marker).Count == 1, "QEMU did not start");

        owner.Kill(entireProcessTree: false);
        await owner.WaitForExitAsync();

        await WaitUntilAsync(() => QemuMachine.QemuProcesses(marker).Count == 0, "QEMU outlived the process that started it");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        for (var i = 0; i < 300; i++)
        {
            if (condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail(failure);
    }
}
