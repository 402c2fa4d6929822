namespace ContainerTest.ContainerRuntime.Tests;

using System.Diagnostics;
using ContainerTest.ContainerRuntime.Backends.Sandbox;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

/// <summary>
/// A sandbox job's system calls are filtered at least as strictly as a container's under the
/// engine's default seccomp profile. A probe (Fixtures/SyscallProbe, built here with gcc) makes
/// every call number once; run in a container with the default profile, in one with no filter
/// at all, and in a sandbox, it shows which calls the default profile refuses — and each of them
/// must be refused in the sandbox too, as must every call that makes a namespace or a mount.
/// </summary>
[TestClass]
public sealed class SeccompTests
{
    private const string Enosys = "38";
    private const string Eperm = "1";

    /// <summary>Calls a sandbox refuses beyond the engine's default profile (20.10), on purpose: see SeccompPolicy.</summary>
    private static readonly string[] RefusedBeyondTheDefault = ["io_uring_setup", "io_uring_enter", "io_uring_register"];

    private static Dictionary<string, string> inDefaultContainer = null!;
    private static Dictionary<string, string> unconfined = null!;
    private static Dictionary<string, string> inSandbox = null!;

    [ClassInitialize]
    public static async Task RunTheProbeAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var folder = Path.Combine(Path.GetTempPath(), "containertest-probe-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var source = Path.Combine(AppContext.BaseDirectory, "Fixtures", "SyscallProbe", "syscall-probe.c");
        using (var gcc = Process.Start(new ProcessStartInfo("gcc", ["-static", "-O1", "-o", Path.Combine(folder, "probe"), source]) { RedirectStandardError = true })!)
        {
            var errors = await gcc.StandardError.ReadToEndAsync(context.CancellationToken);
            await gcc.WaitForExitAsync(context.CancellationToken);
            Assert.AreEqual(0, gcc.ExitCode, "gcc could not build the probe (build.sh installs gcc): " + errors);
        }

        var job = new JobSpec
        {
            Image = await TestEngine.Backend.EnsureHostImageAsync(context.CancellationToken),
            Command = ["/probe/probe"],
            Layers = [new HostDirectoryLayer(folder, "/probe")],
            User = new UserIdentity(1000, 1000),
            Timeout = TimeSpan.FromMinutes(3),
        };
        inDefaultContainer = Parse(await job.RunAsync(cancellationToken: context.CancellationToken));
        unconfined = Parse(await (job with { Security = SecurityOptions.Hardened with { SeccompProfileJson = """{"defaultAction":"SCMP_ACT_ALLOW"}""" } }).RunAsync(cancellationToken: context.CancellationToken));
        var pool = await SandboxWorkerPool.StartAsync(TestEngine.Backend, job with { StopWhenOwnerExits = true }, new JobPoolOptions(1, 1, 0), context.CancellationToken);
        await using (pool)
        {
            inSandbox = Parse(await pool.RunAsync(ReadOnlyMemory<byte>.Empty, cancellationToken: context.CancellationToken));
        }
    }

    [TestMethod]
    public void Every_call_the_engines_default_profile_refuses_is_refused_in_a_sandbox()
    {
        var refusedByDefault = inDefaultContainer.Keys.Where(RefusedByTheDefault).ToList();
        Assert.IsTrue(refusedByDefault.Count > 40, $"the probe found only {refusedByDefault.Count} calls the default profile refuses: it did not work");
        var allowed = refusedByDefault.Where(call => inSandbox[call] is not (Eperm or Enosys)).ToList();
        Assert.AreEqual(0, allowed.Count, "refused in a container, allowed in a sandbox: " + string.Join(", ", allowed.Select(c => $"{Name(c)} ({inSandbox[c]})")));
    }

    [TestMethod]
    public void A_sandbox_refuses_nothing_else_a_container_may_call()
    {
        var refusedOnlyHere = inDefaultContainer.Keys
            .Where(call => !RefusedByTheDefault(call) && inSandbox[call] == Eperm && unconfined[call] != Eperm && !RefusedBeyondTheDefault.Contains(Name(call)))
            .ToList();
        Assert.AreEqual(0, refusedOnlyHere.Count, "allowed in a container, refused in a sandbox: " + string.Join(", ", refusedOnlyHere.Select(Name)));
    }

    [TestMethod]
    public void Making_a_namespace_or_a_mount_is_refused_in_a_sandbox()
    {
        foreach (var call in new[] { "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount", "fsopen", "fsmount", "mount_setattr" })
        {
            Assert.AreEqual(Eperm, inSandbox[Number(call)], call);
        }

        Assert.AreEqual(Eperm, inSandbox["clone-newuser"], "clone with CLONE_NEWUSER");
        Assert.AreEqual(Enosys, inSandbox["clone3"], "clone3 (whose flags no filter can read) answers ENOSYS, so the C library uses clone");
        Assert.AreEqual("0", unconfined["clone-newuser"], "without a filter the same clone works: the probe tells the two apart");
    }

    /// <summary>The default profile refused it: EPERM or ENOSYS where, unfiltered, the call answered something else.</summary>
    private static bool RefusedByTheDefault(string call) =>
        inDefaultContainer[call] is Eperm or Enosys && unconfined.TryGetValue(call, out var free) && free != inDefaultContainer[call] && free != "skip";

    private static string Number(string name) => Backends.Sandbox.Seccomp.SyscallTable.X64[name].ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Name(string call) =>
        Backends.Sandbox.Seccomp.SyscallTable.X64.FirstOrDefault(pair => pair.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) == call).Key ?? call;

    private static Dictionary<string, string> Parse(JobResult result)
    {
        Assert.AreEqual(TerminationReason.Exited, result.Termination, $"{result.FailureCause} {result.Stderr.Text}");
        var answers = result.Stdout.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => parts[1]);
        Assert.IsTrue(answers.ContainsKey("clone3"), "the probe did not finish: " + result.Stdout.Text[^Math.Min(200, result.Stdout.Text.Length)..] + result.Stderr.Text);
        return answers;
    }
}
