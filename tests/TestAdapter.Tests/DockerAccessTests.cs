namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Docker access on request, with the packed package and a Testcontainers 3.10 project whose test
/// starts a container of its own (a small HTTP server built locally) and reads from it at the port
/// the engine published. With <c>ContainerTestDockerAccess</c> on, that test passes in a sandbox
/// and in a container of its own, as it does natively, and leaves no container behind; off (the
/// default), it fails with a message that ContainerTest's sandbox blocked the engine and names the
/// setting. Testcontainers' Ryuk runs when its image (testcontainers/ryuk:0.6.0) is on the engine;
/// no registry is reachable on the machine these tests were written on, so there it is disabled
/// (TESTCONTAINERS_RYUK_DISABLED), natively and in the sandboxes alike. Testcontainers 4.x needs
/// the engine's API 1.44 and this machine's engine (Docker 20.10) speaks 1.41: its test fails
/// natively, and fails the same way with ContainerTest.
/// </summary>
[TestClass]
public sealed class DockerAccessTests
{
    private const string RyukImage = "testcontainers/ryuk:0.6.0";
    private const string EngineTest = "Starts_a_container_and_reaches_its_published_port";
    private static string project = null!;
    private static string testcontainers4 = null!;
    private static string image = null!;
    private static bool ryukPresent;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task BuildAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        project = await PackagedProject.BuildAsync("Testcontainers3Fixture", context.CancellationToken);
        testcontainers4 = await PackagedProject.BuildAsync("Testcontainers4Fixture", context.CancellationToken);
        image = await HttpServerImage.EnsureAsync(context.CancellationToken);
        using var client = new DockerClientBuilder().Build();
        try
        {
            await client.Images.InspectImageAsync(RyukImage, context.CancellationToken);
            ryukPresent = true;
        }
        catch (DockerImageNotFoundException)
        {
            ryukPresent = false;
        }
    }

    [TestMethod]
    public async Task Natively_the_test_starts_its_container_and_reaches_it()
    {
        var (run, token) = await RunAsync(new Dictionary<string, string> { ["CONTAINERTEST"] = "0" }, dockerAccess: null);

        Assert.AreEqual(0, run.ExitCode, run.Output);
        Assert.AreEqual("Passed", run.Report.Single(EngineTest).Outcome, run.Output);
        Assert.AreEqual(0, await ContainersLabelledAsync(token), "the test's container was not removed");
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public async Task With_Docker_access_the_test_starts_its_container_and_reaches_it_from_its_own_sandbox(string isolation)
    {
        // The setting from the runsettings in one mode and from the environment in the other.
        var environment = new Dictionary<string, string> { ["CONTAINERTEST_ISOLATION"] = isolation };
        if (isolation == "container")
        {
            environment["CONTAINERTEST_DOCKER_ACCESS"] = "1";
        }

        var (run, token) = await RunAsync(environment, dockerAccess: isolation == "sandbox" ? "true" : null);

        Assert.AreEqual(0, run.ExitCode, run.Output);
        var result = run.Report.Single(EngineTest);
        Assert.AreEqual("Passed", result.Outcome, $"{result.ErrorMessage}\n{result.StackTrace}\n{run.Output}");
        Assert.IsTrue(result.TextMessages.Any(m => m.Contains($"ContainerTest: ran in {isolation} ", StringComparison.Ordinal)), run.Output);
        Assert.IsTrue(run.Report.Results.All(r => r.Outcome == "Passed"), run.Output);
        Assert.AreEqual(0, await ContainersLabelledAsync(token), "the test's container was not removed");
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public async Task Without_Docker_access_the_test_is_told_the_sandbox_blocked_it_and_which_setting_allows_it(string isolation)
    {
        var (run, token) = await RunAsync(new Dictionary<string, string> { ["CONTAINERTEST_ISOLATION"] = isolation }, dockerAccess: null);

        var result = run.Report.Single(EngineTest);
        Assert.AreEqual("Failed", result.Outcome, run.Output);
        StringAssert.Contains(result.ErrorMessage, "ContainerTest's sandbox blocked this test's access to the Docker Engine");
        StringAssert.Contains(result.ErrorMessage, "ContainerTestDockerAccess=true");
        StringAssert.Contains(result.ErrorMessage, "CONTAINERTEST_DOCKER_ACCESS");
        Assert.IsTrue(run.Report.Results.Where(r => r.TestName != EngineTest).All(r => r.Outcome == "Passed" && !r.ErrorMessage.Contains("blocked", StringComparison.Ordinal)), run.Output);
        Assert.AreEqual(0, await ContainersLabelledAsync(token), "no container may be started without Docker access");
    }

    [TestMethod]
    public async Task Testcontainers_4_fares_with_Docker_access_as_it_does_natively()
    {
        string[] filter = ["--filter", "TestCategory=Engine"];
        var (native, _) = await RunAsync(new Dictionary<string, string> { ["CONTAINERTEST"] = "0" }, dockerAccess: null, testcontainers4, filter);
        var (isolated, token) = await RunAsync(new Dictionary<string, string>(), dockerAccess: "true", testcontainers4, filter);

        var expected = native.Report.Single(EngineTest);
        var actual = isolated.Report.Single(EngineTest);
        Assert.AreEqual(expected.Outcome, actual.Outcome, $"natively: {expected.ErrorMessage}\nwith ContainerTest: {actual.ErrorMessage}");
        Assert.AreEqual(FirstLines(expected.ErrorMessage), FirstLines(actual.ErrorMessage), isolated.Output);
        Assert.IsNotNull(actual.ContainerId, isolated.Output);
        Assert.AreEqual(0, await ContainersLabelledAsync(token), "the test's container was not removed");
    }

    private static string FirstLines(string message) => string.Join('\n', message.Split('\n').Take(2));

    /// <summary>One `dotnet test` of the fixture with its run settings (image, token, Ryuk, and the DockerAccess element when given).</summary>
    private async Task<(DotnetTest.Outcome Run, string Token)> RunAsync(Dictionary<string, string> environment, string? dockerAccess, string? fixture = null, string[]? arguments = null)
    {
        var project = fixture ?? DockerAccessTests.project;
        var token = Guid.NewGuid().ToString("N")[..12];
        var settings = Path.Combine(Path.GetDirectoryName(project)!, $"run-{token}.runsettings");
        var ryuk = ryukPresent ? string.Empty : "<TESTCONTAINERS_RYUK_DISABLED>true</TESTCONTAINERS_RYUK_DISABLED>";
        var access = dockerAccess is null ? string.Empty : $"<ContainerTest><DockerAccess>{dockerAccess}</DockerAccess></ContainerTest>";
        await File.WriteAllTextAsync(settings, $"""
            <RunSettings>
              <RunConfiguration>
                <EnvironmentVariables>
                  <FIXTURE_HTTP_IMAGE>{image}</FIXTURE_HTTP_IMAGE>
                  <FIXTURE_TOKEN>{token}</FIXTURE_TOKEN>
                  {ryuk}
                </EnvironmentVariables>
              </RunConfiguration>
              {access}
            </RunSettings>
            """, TestContext.CancellationToken);
        var run = await DotnetTest.TestAsync(project, ["--settings", settings, .. arguments ?? []], environment, cancellationToken: TestContext.CancellationToken);
        return (run, token);
    }

    private async Task<int> ContainersLabelledAsync(string token)
    {
        using var client = new DockerClientBuilder().Build();
        var containers = await client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"io.containertest.fixture-token={token}"] = true } },
            },
            TestContext.CancellationToken);
        return containers.Count;
    }
}
