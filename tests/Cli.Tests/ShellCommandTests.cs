namespace ContainerTest.Cli.Tests;

using ContainerTest.ContainerRuntime;
using ContainerTest.Cli.Tests.Fixtures;
using ContainerTest.ContainerRuntime.Backends.Docker;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// `dotnet containertest shell`, driven through a real pseudo-terminal (tmux) against the real
/// engine, in the host image — which has no shell of its own: every tool comes from the toolbox.
/// </summary>
[TestClass]
public sealed class ShellCommandTests
{
    private const string Prompt = "[containertest] ";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_session_lists_the_toolbox_has_it_last_in_PATH_runs_ps_follows_resizes_takes_ctrl_c_and_returns_the_exit_code()
    {
        var assembly = await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);
        await using (var terminal = await TmuxSession.StartAsync(CliTool.ShellCommandLine("shell", "Name=Adds_two_and_two", "--project", assembly)))
        {
            await terminal.WaitForAsync(Prompt);
            await terminal.TypeLineAsync("ls /.containertest/bin");
            var screen = await terminal.WaitForAsync(Prompt, times: 2);
            var words = screen.Split([' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
            foreach (var tool in new[] { "sh", "ls", "cat", "grep", "find", "ps", "vi", "less", "wc", "stat", "which" })
            {
                CollectionAssert.Contains(words, tool, $"'{tool}' is not in the toolbox listing:\n{screen}");
            }

            await terminal.TypeLineAsync("echo \"PATH=$PATH\"");
            screen = await terminal.WaitForAsync(Prompt, times: 3);
            var path = screen.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith("PATH=", StringComparison.Ordinal));
            Assert.IsTrue(path.EndsWith(":/.containertest/bin", StringComparison.Ordinal), path);

            await terminal.TypeLineAsync("ps; readlink /.containertest/bin/ls; readlink /.containertest/bin/sh");
            screen = await terminal.WaitForAsync(Prompt, times: 4);
            StringAssert.Contains(screen, "PID");
            StringAssert.Matches(screen, new System.Text.RegularExpressions.Regex(@"\d+ .*\bsh\s*\n"), "ps shows the shell");
            StringAssert.Matches(screen, new System.Text.RegularExpressions.Regex(@"\ntoybox\s*\nbusybox\s*\n"), "ls is toybox's, the shell busybox's (toybox has none yet)");

            await terminal.TypeLineAsync("ls /bin/sh; id -u");
            screen = await terminal.WaitForAsync(Prompt, times: 5);
            StringAssert.Contains(screen, "No such file", "the image was expected to have no shell of its own");
            StringAssert.Contains(screen, "\n1000");

            await terminal.TypeLineAsync("echo \"size=$(stty size)\"");
            screen = await terminal.WaitForAsync(Prompt, times: 6);
            StringAssert.Contains(screen, "size=50 160", "the container's terminal does not have the window's size");

            // The resize reaches the container asynchronously (SIGWINCH, then an engine call): ask until it shows, for up to 10 s.
            await terminal.ResizeAsync(100, 30);
            var prompts = 6;
            for (var attempt = 0; attempt < 20 && !screen.Contains("size=30 100", StringComparison.Ordinal); attempt++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
                await terminal.TypeLineAsync("echo \"size=$(stty size)\"");
                screen = await terminal.WaitForAsync(Prompt, times: ++prompts);
            }

            StringAssert.Contains(screen, "size=30 100", "the container's terminal did not follow the window's resize");

            await terminal.TypeLineAsync("sleep 120; echo slept");
            await Task.Delay(TimeSpan.FromSeconds(1));
            await terminal.PressAsync("C-c");
            screen = await terminal.WaitForAsync(Prompt, times: prompts + 1, timeout: TimeSpan.FromSeconds(20));
            Assert.IsFalse(screen.Contains("\nslept", StringComparison.Ordinal), "Ctrl-C did not reach the sleep in the container:\n" + screen);

            await terminal.TypeLineAsync("exit 3");
            Assert.AreEqual(3, await terminal.ExitCodeAsync(), await terminal.ScreenAsync());
        }

        Assert.AreEqual(0, await ShellContainersAsync(), "a shell container was left behind");
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public async Task Run_first_shows_the_failure_then_the_prompt_on_the_files_the_test_left(string isolation)
    {
        var assembly = await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);
        var commandLine = $"env CONTAINERTEST_ISOLATION={isolation} " + CliTool.ShellCommandLine("shell", "Leaves_a_file_and_fails", "--run", "--path-prepend", "--project", assembly);
        await using (var terminal = await TmuxSession.StartAsync(commandLine))
        {
            var screen = await terminal.WaitForAsync(Prompt, timeout: TimeSpan.FromSeconds(90));
            StringAssert.Contains(screen, $"shell in the {isolation} of ShellFixture.ShellTests.Leaves_a_file_and_fails");
            StringAssert.Contains(screen, "Failed  Leaves_a_file_and_fails");
            StringAssert.Contains(screen, "the deliberate failure of ShellFixture");
            Assert.IsFalse(screen.Contains("\"kind\"", StringComparison.Ordinal), "protocol lines on the screen:\n" + screen);
            Assert.IsTrue(screen.IndexOf("the deliberate failure", StringComparison.Ordinal) < screen.IndexOf(Prompt, StringComparison.Ordinal), screen);

            await terminal.TypeLineAsync("cat /tmp/left-by-failing-test; echo \"PATH=$PATH\"");
            screen = await terminal.WaitForAsync(Prompt, times: 2);
            StringAssert.Contains(screen, "\nfailed");
            StringAssert.Contains(screen, "PATH=/.containertest/bin:");

            await terminal.TypeLineAsync("exit");
            Assert.AreEqual(0, await terminal.ExitCodeAsync());
        }

        Assert.AreEqual(0, await ShellContainersAsync(), "a shell container was left behind");
    }

    [TestMethod]
    public async Task On_the_qemu_backend_run_first_then_a_terminal_on_the_VMs_serial_console_with_the_toolbox_and_its_own_kernel()
    {
        var assembly = await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);
        var commandLine = "CONTAINERTEST_BACKEND=qemu " + CliTool.ShellCommandLine("shell", "Leaves_a_file_and_fails", "--run", "--project", assembly);
        List<int> vms;
        await using (var terminal = await TmuxSession.StartAsync(commandLine))
        {
            // Under TCG a VM boot and a .NET test take tens of seconds on a loaded machine.
            var screen = await terminal.WaitForAsync(Prompt, timeout: TimeSpan.FromMinutes(3));
            StringAssert.Contains(screen, "QEMU virtual machine of its own");
            StringAssert.Contains(screen, "Failed  Leaves_a_file_and_fails");
            StringAssert.Contains(screen, "shell in the virtual machine of");

            await terminal.TypeLineAsync("cat /tmp/left-by-failing-test; echo \"kernel=$(uname -r) boot=$(cat /proc/sys/kernel/random/boot_id) uid=$(id -u) tty=$(tty) size=$(stty size)\"; ls /.containertest/bin | grep -cx -e sh -e ps -e vi -e less");
            screen = await terminal.WaitForAsync(Prompt, times: 2, timeout: TimeSpan.FromSeconds(30));
            StringAssert.Contains(screen, "\nfailed", "the file the test left is not in the shell's VM:\n" + screen);
            var facts = screen.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith("kernel=", StringComparison.Ordinal));
            StringAssert.Contains(facts, "uid=1000");
            StringAssert.Contains(facts, "tty=/dev/ttyS1", "the shell is not on the VM's second serial port");
            StringAssert.Contains(facts, "size=50 160", "the VM's terminal does not have the window's size");
            Assert.IsFalse(facts.Contains("boot=" + File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(), StringComparison.Ordinal), "the shell runs on the host's kernel: " + facts);
            StringAssert.Contains(screen, "\n4", "the toolbox (sh, ps, vi, less) is not complete:\n" + screen);
            vms = TerminalVms();
            Assert.AreNotEqual(0, vms.Count, "no QEMU with a terminal port runs during the session");

            await terminal.TypeLineAsync("sleep 120; echo slept");
            await Task.Delay(TimeSpan.FromSeconds(2));
            await terminal.PressAsync("C-c");
            screen = await terminal.WaitForAsync(Prompt, times: 3, timeout: TimeSpan.FromSeconds(30));
            Assert.IsFalse(screen.Contains("\nslept", StringComparison.Ordinal), "Ctrl-C did not reach the sleep in the VM:\n" + screen);

            await terminal.TypeLineAsync("exit 3");
            Assert.AreEqual(3, await terminal.ExitCodeAsync(TimeSpan.FromSeconds(60)), await terminal.ScreenAsync());
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (vms.Any(pid => Directory.Exists($"/proc/{pid}")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.IsFalse(vms.Any(pid => Directory.Exists($"/proc/{pid}")), "the shell's VM outlived the session");
    }

    /// <summary>The QEMU processes whose VM has an interactive terminal port (shell sessions' VMs).</summary>
    private static List<int> TerminalVms() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Where(pid =>
            {
                try
                {
                    var argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
                    return argv[0].Contains("qemu-system", StringComparison.Ordinal) && argv.Any(a => a.StartsWith("socket,id=term,", StringComparison.Ordinal));
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .ToList();

    [TestMethod]
    public async Task Closing_the_terminal_mid_session_removes_the_container()
    {
        var assembly = await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);
        var terminal = await TmuxSession.StartAsync(CliTool.ShellCommandLine("shell", "Adds_two", "--project", assembly));
        await terminal.WaitForAsync(Prompt);
        Assert.AreEqual(1, await ShellContainersAsync(), "the session's container is not there (or not labelled kind=shell)");

        await terminal.DisposeAsync(); // the terminal goes away: SIGHUP
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await ShellContainersAsync() > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.AreEqual(0, await ShellContainersAsync(), "the container outlived its terminal");
    }

    [TestMethod]
    public async Task A_filter_matching_no_test_or_several_lists_the_candidates()
    {
        var assembly = await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);

        var (exit, output) = await CliTool.RunAsync("shell", "NoSuchTest", "--project", assembly);
        Assert.AreEqual(2, exit, output);
        StringAssert.Contains(output, "No test matches 'NoSuchTest'");
        StringAssert.Contains(output, "ShellFixture.ShellTests.Adds_two_and_two");
        StringAssert.Contains(output, "ShellFixture.ShellTests.Leaves_a_file_and_fails");

        (exit, output) = await CliTool.RunAsync("shell", "Leaves", "--project", assembly);
        Assert.AreEqual(2, exit, output);
        StringAssert.Contains(output, "2 tests match 'Leaves'");
        StringAssert.Contains(output, "ShellFixture.ShellTests.Leaves_a_file_and_passes");
        StringAssert.Contains(output, "ShellFixture.ShellTests.Leaves_a_file_and_fails");
        Assert.IsFalse(output.Contains("Adds_two_and_two", StringComparison.Ordinal), output);
        Assert.IsFalse(output.Contains("   at ", StringComparison.Ordinal), "a stack trace:\n" + output);
    }

    [TestMethod]
    public async Task List_prints_every_test_with_its_id()
    {
        var assembly = await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);
        var (exit, output) = await CliTool.RunAsync("list", "--project", assembly);
        Assert.AreEqual(0, exit, output);
        var lines = output.Split('\n').Where(l => l.Contains("ShellFixture.ShellTests.", StringComparison.Ordinal)).ToList();
        Assert.HasCount(3, lines, output);
        Assert.IsTrue(lines.All(l => Guid.TryParse(l.Split(' ')[0], out _)), output);
        StringAssert.Contains(output, "3 of 3 test(s)");
    }

    [TestMethod]
    public async Task Given_a_project_folder_list_builds_it_and_a_filter_narrows_the_list()
    {
        await ShellFixtureProject.BuildAsync(TestContext.CancellationToken);
        var folder = Path.Combine(ShellFixtureProject.RepositoryRoot, "tests", "Fixtures", "TestProjects", "ShellFixture");
        var (exit, output) = await CliTool.RunAsync("list", "TestCategory!=Slow&Name~fails", "--project", folder, "-c", "Release");
        Assert.AreEqual(0, exit, output);
        StringAssert.Contains(output, "ShellFixture.ShellTests.Leaves_a_file_and_fails");
        StringAssert.Contains(output, "1 of 3 test(s)");

        (exit, output) = await CliTool.RunAsync("list", "--project", Path.Combine(folder, "nowhere"));
        Assert.AreEqual(2, exit, output);
        StringAssert.Contains(output, "No project at ");
    }

    private static async Task<int> ShellContainersAsync()
    {
        using var client = new DockerClientBuilder().Build();
        var containers = await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [ContainerLabels.Kind + "=shell"] = true } },
        });
        return containers.Count;
    }
}
