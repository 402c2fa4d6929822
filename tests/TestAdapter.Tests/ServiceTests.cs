namespace ContainerTest.TestAdapter.Tests;

using System.Text.RegularExpressions;
using ContainerTest.TestAdapter.Tests.Fixtures;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Shared services: a suite whose project declares a Redis server (built locally from Debian's
/// redis-server) as a ContainerTestService. It is started once before the first test; every test
/// runs in a sandbox (or container) of its own and reaches it at cache:6379 — the counts the tests
/// get from its counter are 1, 2, 3: one server, shared, fresh for the run — while another port of
/// the same name is not let through. A failing test makes the run keep what the service wrote, and
/// the service is gone when the run ends. A service whose readiness check never passes fails every
/// test with a message naming it and ending with its output.
/// </summary>
[TestClass]
public sealed partial class ServiceTests
{
    private const string Project = "tests/Fixtures/TestProjects/ServiceFixture/ServiceFixture.csproj";
    private static readonly int[] ExpectedCounts = [1, 2, 3];
    private static string image = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task BuildAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        image = await RedisImage.EnsureAsync(context.CancellationToken);
        var (exit, output) = await DotnetTest.RunAsync(["build", DotnetTest.PathOf(Project), "-c", "Release", "-nologo", "-clp:ErrorsOnly", "-p:FixtureRedisImage=" + image], null, TimeSpan.FromMinutes(5), context.CancellationToken);
        Assert.AreEqual(0, exit, output);
    }

    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public async Task Every_test_reaches_the_one_shared_service_from_its_own_sandbox(string isolation)
    {
        var run = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), environment: new Dictionary<string, string> { ["CONTAINERTEST_ISOLATION"] = isolation }, cancellationToken: TestContext.CancellationToken);

        var hits = run.Report.Results.Where(r => r.TestName.EndsWith("_reaches_the_shared_cache", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(3, hits.Count, run.Output);
        Assert.IsTrue(hits.All(r => r.Outcome == "Passed"), string.Join("\n", hits.Select(r => $"{r.TestName}: {r.ErrorMessage}")) + "\n" + run.Output);
        Assert.AreEqual(3, hits.Select(r => r.ContainerId).Where(id => id is not null).Distinct().Count(), "each test in a " + isolation + " of its own");
        Assert.IsTrue(hits.All(r => r.TextMessages.Any(m => m.Contains($"ContainerTest: ran in {isolation} ", StringComparison.Ordinal))), run.Output);
        var counts = hits.Select(r => int.Parse(HitLine().Match(r.StdOut).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        CollectionAssert.AreEqual(ExpectedCounts, counts, "one server, shared by every test, fresh for this run");
        Assert.AreEqual("Passed", run.Report.Single("Another_port_of_the_service_is_not_let_through").Outcome, run.Report.Single("Another_port_of_the_service_is_not_let_through").ErrorMessage);
        Assert.AreEqual("Failed", run.Report.Single("Fails_on_purpose").Outcome);

        var kept = KeptLog().Match(run.Output);
        Assert.IsTrue(kept.Success, run.Output);
        StringAssert.Contains(await File.ReadAllTextAsync(kept.Groups[1].Value, TestContext.CancellationToken), "Ready to accept connections");
        Assert.AreEqual(0, await ServiceContainersAsync(), "the service outlived its run");
    }

    [TestMethod]
    public async Task With_Docker_access_the_open_network_reaches_the_service_by_name_too()
    {
        var run = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), environment: new Dictionary<string, string> { ["CONTAINERTEST_DOCKER_ACCESS"] = "1" }, cancellationToken: TestContext.CancellationToken);

        var hits = run.Report.Results.Where(r => r.TestName.EndsWith("_reaches_the_shared_cache", StringComparison.Ordinal)).ToList();
        Assert.IsTrue(hits.Count == 3 && hits.All(r => r.Outcome == "Passed"), string.Join("\n", hits.Select(r => $"{r.TestName}: {r.ErrorMessage}")) + "\n" + run.Output);
        var counts = hits.Select(r => int.Parse(HitLine().Match(r.StdOut).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        CollectionAssert.AreEqual(ExpectedCounts, counts, "one server, shared by every test, fresh for this run");
        Assert.AreEqual(0, await ServiceContainersAsync(), "the service outlived its run");
    }

    [TestMethod]
    public async Task A_mistake_in_a_service_item_fails_the_build_naming_the_service_and_the_metadata()
    {
        var output = Directory.CreateTempSubdirectory("containertest-service-").FullName;
        var (exit, buildOutput) = await DotnetTest.RunAsync(
            ["build", DotnetTest.PathOf(Project), "-c", "Release", "-nologo", "-clp:ErrorsOnly", "-o", output, "-p:FixtureRedisImage=" + image, "-p:FixturePorts=http"],
            null,
            TimeSpan.FromMinutes(5),
            TestContext.CancellationToken);

        Assert.AreNotEqual(0, exit, buildOutput);
        StringAssert.Contains(buildOutput, "ContainerTest: invalid value 'http' for Ports of the ContainerTestService 'cache': expected TCP ports (1-65535)");
        Assert.IsFalse(buildOutput.Contains("   at ", StringComparison.Ordinal), "no stack trace: " + buildOutput);
    }

    [TestMethod]
    public async Task A_service_that_never_becomes_ready_fails_every_test_with_its_output()
    {
        var output = Directory.CreateTempSubdirectory("containertest-service-").FullName;
        var (exit, buildOutput) = await DotnetTest.RunAsync(
            ["build", DotnetTest.PathOf(Project), "-c", "Release", "-nologo", "-clp:ErrorsOnly", "-o", output, "-p:FixtureRedisImage=" + image, "-p:FixtureReady=tcp:6390", "-p:FixtureReadyTimeout=3s"],
            null,
            TimeSpan.FromMinutes(5),
            TestContext.CancellationToken);
        Assert.AreEqual(0, exit, buildOutput);

        var run = await DotnetTest.TestAsync(Path.Combine(output, "ServiceFixture.dll"), cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(5, run.Report.Results.Count, run.Output);
        foreach (var result in run.Report.Results)
        {
            Assert.AreEqual("Failed", result.Outcome, result.TestName);
            StringAssert.Contains(result.ErrorMessage, "The shared service 'cache'");
            StringAssert.Contains(result.ErrorMessage, "was not ready (tcp:6390) within 3 s");
            StringAssert.Contains(result.ErrorMessage, "Ready to accept connections", "the message ends with the service's output");
        }

        Assert.AreEqual(0, await ServiceContainersAsync(), "the service outlived its run");
    }

    [GeneratedRegex(@"hit (\d+) from")]
    private static partial Regex HitLine();

    [GeneratedRegex(@"what the shared services wrote is in (\S+\.log)")]
    private static partial Regex KeptLog();

    /// <summary>Service containers of this fixture's image still on the engine.</summary>
    private async Task<int> ServiceContainersAsync()
    {
        using var client = new DockerClientBuilder().Build();
        var containers = await client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { ["io.containertest.kind=service"] = true },
                    ["ancestor"] = new Dictionary<string, bool> { [image] = true },
                },
            },
            TestContext.CancellationToken);
        return containers.Count;
    }
}
