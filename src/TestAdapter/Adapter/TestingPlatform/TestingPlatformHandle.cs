namespace ContainerTest.TestAdapter.TestingPlatform;

using System.Globalization;
using System.Text.Json.Nodes;
using ContainerTest.Protocol;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// Where ContainerTest's run reports a test application's tests: each start, result, end and
/// message becomes one JSON event for the Microsoft.Testing.Platform extension, which lives in the
/// test application's own load context and publishes it as the platform's messages. Events carry
/// only text, so nothing of either side's assemblies crosses between the two load contexts.
/// </summary>
/// <remarks>
/// Events: <c>{"kind":"start","uid"}</c>; <c>{"kind":"result","uid","node"?,"outcome","errorMessage","errorStackTrace","durationTicks","startTime","endTime","output","error","note"}</c>
/// (<c>node</c>: the framework's own result node from the container; without it the test reported
/// nothing and the rest says why); <c>{"kind":"end","uid","outcome"}</c>; <c>{"kind":"log","level","text"}</c>
/// (level: vstest's TestMessageLevel, 0 informational, 1 warning, 2 error).
/// </remarks>
internal sealed class TestingPlatformHandle(Action<string> report) : IFrameworkHandle
{
    private static readonly TestProperty Node = TestProperty.Find(TestingPlatformWire.NodePropertyId) ?? TestProperty.Register(
        TestingPlatformWire.NodePropertyId,
        "Test node",
        string.Empty,
        "The framework's own result node, as the test application reported it in its sandbox or container.",
        typeof(string),
        null,
        TestPropertyAttributes.Hidden,
        typeof(TestObject));

    /// <inheritdoc />
    public bool EnableShutdownAfterTestRun { get; set; }

    /// <inheritdoc />
    public void RecordStart(TestCase testCase) =>
        report(new JsonObject { ["kind"] = "start", ["uid"] = TestingPlatformTests.UidOf(testCase) }.ToJsonString());

    /// <inheritdoc />
    public void RecordResult(TestResult testResult)
    {
        ArgumentNullException.ThrowIfNull(testResult);
        report(new JsonObject
        {
            ["kind"] = "result",
            ["uid"] = TestingPlatformTests.UidOf(testResult.TestCase),
            ["node"] = testResult.GetPropertyValue<string>(Node, null),
            ["outcome"] = testResult.Outcome.ToString(),
            ["errorMessage"] = testResult.ErrorMessage,
            ["errorStackTrace"] = testResult.ErrorStackTrace,
            ["durationTicks"] = testResult.Duration.Ticks,
            ["startTime"] = testResult.StartTime.ToString("O", CultureInfo.InvariantCulture),
            ["endTime"] = testResult.EndTime.ToString("O", CultureInfo.InvariantCulture),
            ["output"] = Messages(testResult, TestResultMessage.StandardOutCategory),
            ["error"] = Messages(testResult, TestResultMessage.StandardErrorCategory),
            ["note"] = Messages(testResult, TestResultMessage.AdditionalInfoCategory),
        }.ToJsonString());
    }

    private static string Messages(TestResult result, string category) =>
        string.Join(Environment.NewLine, result.Messages.Where(m => m.Category == category).Select(m => m.Text));

    /// <inheritdoc />
    public void RecordEnd(TestCase testCase, TestOutcome outcome) =>
        report(new JsonObject { ["kind"] = "end", ["uid"] = TestingPlatformTests.UidOf(testCase), ["outcome"] = outcome.ToString() }.ToJsonString());

    /// <inheritdoc />
    public void SendMessage(TestMessageLevel testMessageLevel, string message) =>
        report(new JsonObject { ["kind"] = "log", ["level"] = (int)testMessageLevel, ["text"] = message }.ToJsonString());

    /// <inheritdoc />
    public void RecordAttachments(IList<AttachmentSet> attachmentSets)
    {
        // Run-level attachments are vstest's (data collectors); a test application has none through here.
    }

    /// <inheritdoc />
    public int LaunchProcessWithDebuggerAttached(string filePath, string? workingDirectory, string? arguments, IDictionary<string, string?>? environmentVariables) =>
        throw new NotSupportedException("A test application run by ContainerTest is never debugged through it: a run being debugged runs natively.");
}
