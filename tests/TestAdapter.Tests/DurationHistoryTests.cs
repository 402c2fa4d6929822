namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Execution;
using ContainerTest.TestAdapter.Scheduling;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>The duration history file: what a run records (also a cancelled one), what a later run reads, and that a bad file never fails a run.</summary>
[TestClass]
public sealed class DurationHistoryTests
{
    private const string Source = "/repo/bin/My.Tests.dll";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task What_a_run_records_the_next_run_reads()
    {
        var path = NewPath();
        var messages = new Messages();
        var history = await DurationHistory.LoadAsync(path, messages, TestContext.CancellationToken);
        var recorder = new DurationRecorder();
        Run(recorder, Test("Slow"), TimeSpan.FromSeconds(2), TestOutcome.Passed);
        Run(recorder, Test("Broken"), TimeSpan.FromMilliseconds(30), TestOutcome.Failed);
        recorder.WriteTo(history);
        await history.SaveAsync(messages, TestContext.CancellationToken);

        var again = await DurationHistory.LoadAsync(path, messages, TestContext.CancellationToken);

        Assert.AreEqual(new HistoryEntry(TimeSpan.FromSeconds(2), TestOutcome.Passed), again.Entries[TestKey.Of(Test("Slow"))]);
        Assert.AreEqual(TestOutcome.Failed, again.Entries[TestKey.Of(Test("Broken"))].Outcome);
        Assert.AreEqual(0, messages.All.Count, string.Join(Environment.NewLine, messages.All));
        Assert.AreEqual(0, Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp").Length, "the temporary file was renamed");
    }

    [TestMethod]
    public async Task A_filtered_run_keeps_the_entries_of_tests_it_did_not_run()
    {
        var path = NewPath();
        var messages = new Messages();
        var first = await DurationHistory.LoadAsync(path, messages, TestContext.CancellationToken);
        first.Record(TestKey.Of(Test("A")), TimeSpan.FromSeconds(1), TestOutcome.Passed);
        first.Record(TestKey.Of(Test("B")), TimeSpan.FromSeconds(3), TestOutcome.Failed);
        await first.SaveAsync(messages, TestContext.CancellationToken);

        var second = await DurationHistory.LoadAsync(path, messages, TestContext.CancellationToken);
        var recorder = new DurationRecorder();
        Run(recorder, Test("A"), TimeSpan.FromSeconds(4), TestOutcome.Passed);
        recorder.WriteTo(second);
        await second.SaveAsync(messages, TestContext.CancellationToken);

        var third = await DurationHistory.LoadAsync(path, messages, TestContext.CancellationToken);
        Assert.AreEqual(TimeSpan.FromSeconds(4), third.Entries[TestKey.Of(Test("A"))].Duration);
        Assert.AreEqual(new HistoryEntry(TimeSpan.FromSeconds(3), TestOutcome.Failed), third.Entries[TestKey.Of(Test("B"))]);
    }

    [TestMethod]
    public async Task A_cancelled_run_still_saves_the_tests_that_finished_and_starts_them_in_history_order()
    {
        var path = NewPath();
        var before = await DurationHistory.LoadAsync(path, new Messages(), TestContext.CancellationToken);
        before.Record(TestKey.Of(Test("Quick")), TimeSpan.FromMilliseconds(5), TestOutcome.Passed);
        before.Record(TestKey.Of(Test("Slow")), TimeSpan.FromSeconds(9), TestOutcome.Passed);
        await before.SaveAsync(new Messages(), TestContext.CancellationToken);
        var recorder = new DurationRecorder();
        var handle = new SynchronizedFrameworkHandle(new FrameworkHandle(), recorder);
        IReadOnlyList<TestCase>? handedOut = null;

        await Assert.ThrowsExactlyAsync<OperationCanceledException>(() => HistoryScheduledRun.RunAsync(
            path,
            [Test("Quick"), Test("Slow")],
            handle,
            recorder,
            (tests, _) =>
            {
                handedOut = tests;
                handle.RecordStart(tests[0]);
                handle.RecordResult(new TestResult(tests[0]) { Outcome = TestOutcome.Failed, Duration = TimeSpan.FromSeconds(8) });
                handle.RecordEnd(tests[0], TestOutcome.Failed);
                handle.RecordStart(tests[1]);
                throw new OperationCanceledException();
            },
            TestContext.CancellationToken));

        Assert.AreEqual("Slow, Quick", string.Join(", ", handedOut!.Select(t => t.DisplayName)));
        var after = await DurationHistory.LoadAsync(path, new Messages(), TestContext.CancellationToken);
        Assert.AreEqual(new HistoryEntry(TimeSpan.FromSeconds(8), TestOutcome.Failed), after.Entries[TestKey.Of(Test("Slow"))]);
        Assert.AreEqual(new HistoryEntry(TimeSpan.FromMilliseconds(5), TestOutcome.Passed), after.Entries[TestKey.Of(Test("Quick"))], "the test that never ended keeps its entry");
    }

    [TestMethod]
    public void A_test_that_never_started_keeps_its_old_duration_and_fails()
    {
        var recorder = new DurationRecorder();
        var test = Test("Unstarted");
        recorder.Result(new TestResult(test) { Outcome = TestOutcome.Failed });
        recorder.End(test, TestOutcome.Failed);
        var history = DurationHistoryWith(TestKey.Of(test), new HistoryEntry(TimeSpan.FromSeconds(7), TestOutcome.Passed));

        recorder.WriteTo(history);

        Assert.AreEqual(new HistoryEntry(TimeSpan.FromSeconds(7), TestOutcome.Failed), history.Entries[TestKey.Of(test)]);
    }

    [TestMethod]
    public void Data_rows_add_up_and_one_failed_row_fails_the_test()
    {
        var recorder = new DurationRecorder();
        var test = Test("Rows");
        recorder.Start(test);
        recorder.Result(new TestResult(test) { Outcome = TestOutcome.Passed, Duration = TimeSpan.FromSeconds(1) });
        recorder.Result(new TestResult(test) { Outcome = TestOutcome.Failed, Duration = TimeSpan.FromSeconds(2) });
        recorder.End(test, TestOutcome.Passed);
        var history = DurationHistoryWith(TestKey.Of(Test("Other")), new HistoryEntry(TimeSpan.Zero, TestOutcome.Passed));

        recorder.WriteTo(history);

        Assert.AreEqual(new HistoryEntry(TimeSpan.FromSeconds(3), TestOutcome.Failed), history.Entries[TestKey.Of(test)]);
    }

    [TestMethod]
    public async Task A_test_still_running_when_the_run_ends_is_not_recorded()
    {
        var recorder = new DurationRecorder();
        recorder.Start(Test("Cancelled"));
        var history = await DurationHistory.LoadAsync(null, new Messages(), TestContext.CancellationToken);

        recorder.WriteTo(history);

        Assert.AreEqual(0, history.Entries.Count);
    }

    [TestMethod]
    public async Task A_corrupt_file_is_ignored_with_one_informational_message_naming_it()
    {
        var path = NewExistingPath();
        await File.WriteAllTextAsync(path, "{ \"version\": 1, \"tests\": [ { \"source\": ", TestContext.CancellationToken);
        var messages = new Messages();

        var history = await DurationHistory.LoadAsync(path, messages, TestContext.CancellationToken);

        Assert.AreEqual(0, history.Entries.Count);
        Assert.AreEqual(1, messages.All.Count);
        Assert.AreEqual(TestMessageLevel.Informational, messages.All[0].Level);
        StringAssert.Contains(messages.All[0].Text, path);

        // The next save replaces it with a good one.
        history.Record(TestKey.Of(Test("A")), TimeSpan.FromSeconds(1), TestOutcome.Passed);
        await history.SaveAsync(messages, TestContext.CancellationToken);
        Assert.AreEqual(1, (await DurationHistory.LoadAsync(path, messages, TestContext.CancellationToken)).Entries.Count);
        Assert.AreEqual(1, messages.All.Count);
    }

    [TestMethod]
    [DataRow("[1, 2, 3]")]
    [DataRow("")]
    [DataRow("{ \"version\": \"one\", \"tests\": [] }")]
    [DataRow("{ \"version\": 2, \"tests\": [] }")]
    [DataRow("{ \"version\": 1, \"tests\": [ 7 ] }")]
    [DataRow("{ \"version\": 1, \"tests\": [ { \"source\": \"a.dll\", \"name\": \"N\", \"displayName\": \"N\", \"durationMs\": 1, \"outcome\": \"Exploded\" } ] }")]
    public async Task A_file_of_another_shape_is_ignored_too(string content)
    {
        var path = NewExistingPath();
        await File.WriteAllTextAsync(path, content, TestContext.CancellationToken);
        var messages = new Messages();

        var history = await DurationHistory.LoadAsync(path, messages, TestContext.CancellationToken);

        Assert.AreEqual(0, history.Entries.Count);
        Assert.AreEqual(1, messages.All.Count);
    }

    [TestMethod]
    public async Task Without_a_history_file_nothing_is_read_or_written()
    {
        var messages = new Messages();
        var history = await DurationHistory.LoadAsync(null, messages, TestContext.CancellationToken);
        history.Record(TestKey.Of(Test("A")), TimeSpan.FromSeconds(1), TestOutcome.Passed);

        await history.SaveAsync(messages, TestContext.CancellationToken);

        Assert.IsNull(history.Path);
        Assert.AreEqual(0, messages.All.Count);
    }

    private static TestCase Test(string name) => new("My.Tests.C." + name, new Uri("executor://test"), Source) { DisplayName = name };

    private static void Run(DurationRecorder recorder, TestCase test, TimeSpan duration, TestOutcome outcome)
    {
        recorder.Start(test);
        recorder.Result(new TestResult(test) { Outcome = outcome, Duration = duration });
        recorder.End(test, TestOutcome.Passed);
    }

    private static DurationHistory DurationHistoryWith(TestKey key, HistoryEntry entry)
    {
        var history = DurationHistory.LoadAsync(null, new Messages(), CancellationToken.None).GetAwaiter().GetResult();
        history.Record(key, entry.Duration, entry.Outcome);
        return history;
    }

    /// <summary>A history path in a fresh folder (its own folder is made only when a test writes a file there itself).</summary>
    private static string NewPath() =>
        Path.Combine(Directory.CreateTempSubdirectory("containertest-history-").FullName, "obj", "containertest", "durations.json");

    private static string NewExistingPath()
    {
        var path = NewPath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    private sealed class Messages : IMessageLogger
    {
        public List<(TestMessageLevel Level, string Text)> All { get; } = [];

        public void SendMessage(TestMessageLevel testMessageLevel, string message) => All.Add((testMessageLevel, message));
    }

    private sealed class FrameworkHandle : IFrameworkHandle
    {
        public bool EnableShutdownAfterTestRun { get; set; }

        public int LaunchProcessWithDebuggerAttached(string filePath, string? workingDirectory, string? arguments, IDictionary<string, string?>? environmentVariables) => 0;

        public void RecordAttachments(IList<AttachmentSet> attachmentSets)
        {
        }

        public void RecordEnd(TestCase testCase, TestOutcome outcome)
        {
        }

        public void RecordResult(TestResult testResult)
        {
        }

        public void RecordStart(TestCase testCase)
        {
        }

        public void SendMessage(TestMessageLevel testMessageLevel, string message)
        {
        }
    }
}
