namespace ContainerTest.TestAdapter.Tests;

using System.Net;
using System.Net.Sockets;
using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// When the engine or the image cannot be had, every test of a real `dotnet test` run fails with
/// one message naming the cause and the fix — no hang, no stack trace, no test left unreported.
/// </summary>
[TestClass]
public sealed class EngineErrorTests
{
    private const string Project = "tests/Fixtures/TestProjects/CrashFixture/CrashFixture.csproj";
    private static readonly string[] OnlyThePassingTests = ["--filter", "Name~Passes"];

    [ClassInitialize]
    public static async Task BuildAsync(TestContext context) =>
        await DotnetTest.BuildAsync(DotnetTest.PathOf(Project), context.CancellationToken);

    [TestMethod]
    public async Task Docker_not_installed_or_not_running_names_the_socket_and_how_to_start_docker()
    {
        var run = await RunAsync(new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock" });

        AssertEveryTestFailedWith(run, "No Docker Engine is listening at the socket /nonexistent/docker.sock (it does not exist). Is Docker installed and running?", "point DOCKER_HOST at a running engine");
    }

    [TestMethod]
    public async Task A_socket_this_user_may_not_open_says_permission_denied_and_how_to_get_access()
    {
        // Root may open any socket, so the run goes as nobody, against the real engine's socket (root:docker 0660).
        var home = Directory.CreateTempSubdirectory("containertest-nobody-");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home.FullName, (UnixFileMode)0x1FF);
        }

        var socket = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host && host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : "/var/run/docker.sock";
        try
        {
            // The assembly, not the project: nobody may not write the project's obj/.
            var assembly = Path.Combine(Path.GetDirectoryName(DotnetTest.PathOf(Project))!, "bin", "Release", "net10.0", "CrashFixture.dll");
            var run = await DotnetTest.TestAsync(
                assembly,
                OnlyThePassingTests,
                new Dictionary<string, string> { ["HOME"] = home.FullName, ["DOTNET_CLI_HOME"] = home.FullName },
                launcher: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]);

            AssertEveryTestFailedWith(run, $"Permission denied opening the socket {socket}: this user may not use the Docker Engine.", "Add the user to the 'docker' group");
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    [TestMethod]
    public async Task An_unreachable_registry_names_the_image_the_registry_and_the_cause()
    {
        var port = ClosedPort();
        var image = $"127.0.0.1:{port}/containertest-test/nowhere:1";

        var run = await RunAsync(new Dictionary<string, string> { ["CONTAINERTEST_IMAGE"] = image });

        AssertEveryTestFailedWith(run, $"The image '{image}' is not on this machine and its registry (127.0.0.1:{port}) cannot be reached", "connection refused", "build or load the image locally");
    }

    [TestMethod]
    public async Task An_image_that_is_nowhere_says_it_is_not_on_this_machine_and_not_reachable()
    {
        const string Image = "containertest-test/does-not-exist:1";

        var run = await RunAsync(new Dictionary<string, string> { ["CONTAINERTEST_IMAGE"] = Image });

        AssertEveryTestFailedWith(run, $"The image '{Image}' is not on this machine", "docker images");
    }

    private static Task<DotnetTest.Outcome> RunAsync(Dictionary<string, string> environment) =>
        DotnetTest.TestAsync(DotnetTest.PathOf(Project), OnlyThePassingTests, environment, TimeSpan.FromMinutes(3));

    private static void AssertEveryTestFailedWith(DotnetTest.Outcome run, params string[] fragments)
    {
        Assert.AreEqual(2, run.Report.Results.Count, run.Output);
        foreach (var result in run.Report.Results)
        {
            Assert.AreEqual("Failed", result.Outcome, run.Output);
            foreach (var fragment in fragments)
            {
                StringAssert.Contains(result.ErrorMessage, fragment);
            }

            Assert.IsFalse(result.ErrorMessage.Contains("   at ", StringComparison.Ordinal), "a stack trace in the message: " + result.ErrorMessage);
        }

        Assert.IsTrue(run.Elapsed < TimeSpan.FromMinutes(2), $"took {run.Elapsed}");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
