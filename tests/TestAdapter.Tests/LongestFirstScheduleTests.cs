namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Scheduling;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>Pure logic: the order tests start in, from what the duration history knows of them.</summary>
[TestClass]
public sealed class LongestFirstScheduleTests
{
    private const string Source = "/repo/tests/bin/Release/net10.0/My.Tests.dll";

    [TestMethod]
    public void Without_history_the_discovery_order_is_kept()
    {
        var tests = Tests("A", "B", "C");

        var order = LongestFirstSchedule.Order(tests, new Dictionary<TestKey, HistoryEntry>());

        Assert.AreEqual("A, B, C", Names(order));
    }

    [TestMethod]
    public void New_tests_first_then_failed_then_the_rest_longest_first()
    {
        var tests = Tests("Quick", "Slow", "New1", "Failed", "Medium", "New2");
        var history = History(
            ("Quick", 10, TestOutcome.Passed),
            ("Slow", 5000, TestOutcome.Passed),
            ("Failed", 20, TestOutcome.Failed),
            ("Medium", 300, TestOutcome.Skipped));

        var order = LongestFirstSchedule.Order(tests, history);

        Assert.AreEqual("New1, New2, Failed, Slow, Medium, Quick", Names(order));
    }

    [TestMethod]
    public void Failed_tests_are_longest_first_among_themselves()
    {
        var tests = Tests("ShortFail", "LongFail");
        var history = History(("ShortFail", 10, TestOutcome.Failed), ("LongFail", 900, TestOutcome.Failed));

        Assert.AreEqual("LongFail, ShortFail", Names(LongestFirstSchedule.Order(tests, history)));
    }

    [TestMethod]
    public void Equal_durations_keep_the_discovery_order()
    {
        var tests = Tests("D", "B", "C", "A");
        var history = History(("D", 100, TestOutcome.Passed), ("B", 100, TestOutcome.Passed), ("C", 100, TestOutcome.Passed), ("A", 100, TestOutcome.Passed));

        Assert.AreEqual("D, B, C, A", Names(LongestFirstSchedule.Order(tests, history)));
    }

    [TestMethod]
    public void Data_rows_of_one_method_are_told_apart_by_display_name()
    {
        TestCase[] rows =
        [
            new("My.Tests.Rows.Row", new Uri("executor://test"), Source) { DisplayName = "Row (1)" },
            new("My.Tests.Rows.Row", new Uri("executor://test"), Source) { DisplayName = "Row (2)" },
        ];
        var history = new Dictionary<TestKey, HistoryEntry>
        {
            [TestKey.Of(rows[0])] = new(TimeSpan.FromMilliseconds(5), TestOutcome.Passed),
            [TestKey.Of(rows[1])] = new(TimeSpan.FromSeconds(5), TestOutcome.Passed),
        };

        var order = LongestFirstSchedule.Order(rows, history);

        Assert.AreEqual("Row (2), Row (1)", Names(order));
    }

    [TestMethod]
    public void The_key_ignores_where_the_assembly_is()
    {
        var here = new TestCase("My.Tests.C.M", new Uri("executor://test"), Source);
        var moved = new TestCase("My.Tests.C.M", new Uri("executor://test"), "/elsewhere/My.Tests.dll");

        Assert.AreEqual(TestKey.Of(here), TestKey.Of(moved));
    }

    private static TestCase[] Tests(params string[] names) =>
        names.Select(n => new TestCase("My.Tests.C." + n, new Uri("executor://test"), Source) { DisplayName = n }).ToArray();

    private static Dictionary<TestKey, HistoryEntry> History(params (string Name, int Milliseconds, TestOutcome Outcome)[] entries) =>
        entries.ToDictionary(
            e => new TestKey("My.Tests.dll", "My.Tests.C." + e.Name, e.Name),
            e => new HistoryEntry(TimeSpan.FromMilliseconds(e.Milliseconds), e.Outcome));

    private static string Names(IEnumerable<TestCase> tests) => string.Join(", ", tests.Select(t => t.DisplayName));
}
