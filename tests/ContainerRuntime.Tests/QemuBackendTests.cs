namespace ContainerTest.ContainerRuntime.Tests;

using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

/// <summary>
/// The qemu backend on a real QEMU and a real Debian kernel (TCG on a machine without usable KVM:
/// slow, so the tests are few and each does much).
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class QemuBackendTests
{
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
            await machine.DisposeAsync();
        }
    }

    [TestMethod]
    [Timeout(600_000)]
    public async Task A_job_gets_its_environment_user_working_directory_and_streams_and_its_exit_code_comes_back()
    {
        var result = await Machine.Backend.RunAsync(Machine.Shell("echo \"greeting=$GREETING\"; echo \"id=$(id -u):$(id -g)\"; echo \"cwd=$(pwd)\"; echo to-err >&2; exit 7") with
        {
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello from the host", ["PATH"] = QemuMachine.Tools },
            User = new UserIdentity(1234, 2345),
            WorkingDirectory = "/srv/work/here",
        });

        Assert.AreEqual(TerminationReason.Exited, result.Termination, result.FailureCause);
        Assert.AreEqual(7, result.ExitCode);
        Assert.AreEqual("greeting=hello from the host\nid=1234:2345\ncwd=/srv/work/here\n", result.Stdout.Text);
        Assert.AreEqual("to-err\n", result.Stderr.Text);
        Assert.AreEqual("vm", result.InstanceKind);
    }
}
