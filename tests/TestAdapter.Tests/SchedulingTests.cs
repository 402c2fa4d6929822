namespace ContainerTest.TestAdapter.Tests;

using System.Text.Json.Nodes;
using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// The duration history in a real `dotnet test`: the first run writes it under the project's
/// obj/ folder, and the second starts the test that failed first, then the slow test before the
/// quick one — the reverse of their discovery order.
/// </summary>
[TestClass]
public sealed class SchedulingTests
{
    private const string Project = "tests/Fixtures/TestProjects/ScheduleFixture/ScheduleFixture.csproj";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task The_second_run_starts_the_failed_test_first_and_the_slow_test_before_the_quick_one()
    {
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, TestContext.CancellationToken);
        var historyFile = Path.Combine(Path.GetDirectoryName(path)!, "obj", "Release", "net10.0", "containertest", "durations.json");
        if (File.Exists(historyFile))
        {
            File.Delete(historyFile);
        }

        // One at a time, so that the start order is the order the tests were handed out in.
        var environment = new Dictionary<string, string> { ["CONTAINERTEST_PARALLELISM"] = "1" };
        var first = await DotnetTest.TestAsync(path, environment: environment, timeout: TimeSpan.FromMinutes(2), cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual("A_Quick, B_Slow, C_Fails", StartOrder(first), "no history yet: discovery order\n" + first.Output);
        Assert.IsTrue(File.Exists(historyFile), $"no history at {historyFile}\n{first.Output}");
        var entries = JsonNode.Parse(await File.ReadAllTextAsync(historyFile, TestContext.CancellationToken))!["tests"]!.AsArray()
            .ToDictionary(e => e!["name"]!.GetValue<string>(), e => (Outcome: e!["outcome"]!.GetValue<string>(), Milliseconds: e["durationMs"]!.GetValue<double>()));
        Assert.AreEqual(3, entries.Count, string.Join(", ", entries.Keys));
        Assert.AreEqual("Passed", entries["ScheduleFixture.ScheduleTests.A_Quick"].Outcome);
        Assert.AreEqual("Passed", entries["ScheduleFixture.ScheduleTests.B_Slow"].Outcome);
        Assert.AreEqual("Failed", entries["ScheduleFixture.ScheduleTests.C_Fails"].Outcome);
        Assert.IsTrue(entries["ScheduleFixture.ScheduleTests.B_Slow"].Milliseconds >= 1400, "the slow test took 1.5 s");

        var second = await DotnetTest.TestAsync(path, environment: environment, timeout: TimeSpan.FromMinutes(2), cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual("C_Fails, B_Slow, A_Quick", StartOrder(second), second.Output);
    }

    private static string StartOrder(DotnetTest.Outcome run)
    {
        Assert.AreEqual(3, run.Report.Results.Count, run.Output);
        Assert.IsTrue(run.Report.Results.All(r => r.StartTime is not null), "every result has a start time");
        return string.Join(", ", run.Report.Results.OrderBy(r => r.StartTime).Select(r => r.TestName));
    }
}
