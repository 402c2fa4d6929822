namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// Test cases a framework cannot select one by one by name, through the real `dotnet test`:
/// NUnit cases whose arguments hold control characters run and pass as natively (selected in
/// their containers through NUnit's own filter), and a case the framework does not find in its
/// container gets its own outcome and message with what the adapter logged — never the crash text.
/// </summary>
[TestClass]
public sealed class UnselectableCaseTests
{
    private const string Project = "tests/Fixtures/TestProjects/NUnitFidelityFixture/NUnitFidelityFixture.csproj";

    [ClassInitialize]
    public static async Task BuildAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await DotnetTest.BuildAsync(DotnetTest.PathOf(Project), context.CancellationToken);
    }

    [TestMethod]
    public async Task Cases_with_control_characters_run_and_pass_as_natively()
    {
        // Unfiltered: natively, NUnit's own filter cannot hold these names either, so `--filter` selects none of them.
        var run = await DotnetTest.TestAsync(DotnetTest.PathOf(Project));
        var native = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), environment: new Dictionary<string, string> { ["CONTAINERTEST"] = "0" });

        string[] names = ["HoldsStartOfText(\"a\\u0002b\")", "IsControl('\\u0001')", "IsControl('\\u001f')", "HoldsEndOfText(\"it's \\\\ (x+y)*[z]? $1 \\u0003\")"];
        foreach (var name in names)
        {
            Assert.AreEqual("Passed", native.Report.Single(name).Outcome, native.Output);
            var result = run.Report.Single(name);
            Assert.AreEqual("Passed", result.Outcome, $"{result.TestName}: {result.ErrorMessage}");
            Assert.IsNotNull(result.ContainerId, "each ran in a container");
        }
    }

    [TestMethod]
    public async Task A_case_the_framework_does_not_find_in_its_container_says_so_with_what_the_adapter_logged()
    {
        // Discovery on the host sees the case (the variable is set there); the container does not pass it on.
        var run = await DotnetTest.TestAsync(
            DotnetTest.PathOf(Project),
            ["--filter", "FullyQualifiedName~HostOnlyCaseTests"],
            new Dictionary<string, string> { ["FIXTURE_HOST_ONLY_CASE"] = "from-host" });

        var result = run.Report.Single("ExistsOnlyOnTheHost(\"from-host\")");
        Assert.AreEqual("Failed", result.Outcome, run.Output);
        StringAssert.StartsWith(result.ErrorMessage, "The test framework's adapter (executor://NUnit3TestExecutor) ran in the test's container and finished cleanly, but reported no result for this test: it did not find the test there");
        StringAssert.Contains(result.ErrorMessage, "What the adapter logged:");
        StringAssert.Contains(result.ErrorMessage, "NUnit3TestExecutor discovered 0 of 0 NUnit test cases");
        Assert.IsFalse(result.ErrorMessage.Contains("crashed", StringComparison.Ordinal), result.ErrorMessage);
    }
}
