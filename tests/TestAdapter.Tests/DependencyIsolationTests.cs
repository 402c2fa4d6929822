namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// ContainerTest's own dependencies (Docker.DotNet, Microsoft.Extensions.*, NuGet.*…) never meet
/// the test project's: projects that reference other versions of the same assemblies — Testcontainers
/// 3.10 (Docker.DotNet 3.125), Testcontainers 4.16 with Microsoft.Extensions.* 11.0, Docker.DotNet
/// 3.125 with Microsoft.Extensions.* 2.1 — built against the packed package run every test in a
/// sandbox or container of its own, with the same outcomes as natively, and each test sees the
/// project's own copy of every one of those assemblies (in the test host too: MSTest evaluates the
/// data rows there during discovery). Before the adapter loaded its dependencies in a context of
/// its own, the Testcontainers 3.10 project failed before any test ran ("Method not found: …
/// DockerClient.get_Options()").
/// </summary>
[TestClass]
public sealed class DependencyIsolationTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("Testcontainers3Fixture", "sandbox")]
    [DataRow("OldExtensionsFixture", "sandbox")]
    [DataRow("Testcontainers4Fixture", "container")]
    public async Task The_project_s_own_versions_of_our_dependencies_run_as_natively(string fixture, string isolation)
    {
        var project = await PackagedProject.BuildAsync(fixture, TestContext.CancellationToken);

        // The tests that start containers of their own are DockerAccessTests' business.
        string[] filter = ["--filter", "TestCategory!=Engine"];
        var native = await DotnetTest.TestAsync(project, filter, new Dictionary<string, string> { ["CONTAINERTEST"] = "0" }, cancellationToken: TestContext.CancellationToken);
        var isolated = await DotnetTest.TestAsync(project, filter, new Dictionary<string, string> { ["CONTAINERTEST_ISOLATION"] = isolation }, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(0, native.ExitCode, native.Output);
        Assert.AreEqual(0, isolated.ExitCode, isolated.Output);
        var expected = native.Report.Results.Select(r => $"{r.TestName}: {r.Outcome}").Order().ToList();
        var actual = isolated.Report.Results.Select(r => $"{r.TestName}: {r.Outcome}").Order().ToList();
        Assert.IsTrue(expected.Count >= 4, native.Output);
        CollectionAssert.AreEqual(expected, actual, isolated.Output);
        Assert.IsTrue(isolated.Report.Results.All(r => r.Outcome == "Passed"), isolated.Output);
        Assert.IsTrue(native.Report.Results.All(r => r.ContainerId is null), "the native run is not isolated");
        Assert.AreEqual(isolated.Report.Results.Count, isolated.Report.Results.Select(r => r.ContainerId).Where(id => id is not null).Distinct().Count(), "every test in a " + isolation + " of its own");
        Assert.IsTrue(isolated.Report.Results.All(r => r.TextMessages.Any(m => m.Contains($"ContainerTest: ran in {isolation} ", StringComparison.Ordinal))), isolated.Output);
    }
}
