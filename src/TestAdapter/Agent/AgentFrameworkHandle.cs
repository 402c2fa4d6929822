namespace ContainerTest.Agent;

using ContainerTest.Protocol;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// What the framework adapter reports to: every result and message becomes a protocol line. A
/// result recorded after the test tried the blocked engine says so (<see cref="BlockedEngine"/>).
/// </summary>
internal sealed class AgentFrameworkHandle(ProtocolWriter protocol, BlockedEngineListener? blockedEngine = null) : IFrameworkHandle
{
    public bool EnableShutdownAfterTestRun { get; set; }

    public void RecordResult(TestResult testResult)
    {
        ArgumentNullException.ThrowIfNull(testResult);
        if (blockedEngine?.TakeAttempts() > 0)
        {
            if (testResult.Outcome == TestOutcome.Failed)
            {
                testResult.ErrorMessage = string.IsNullOrEmpty(testResult.ErrorMessage) ? BlockedEngine.Message : testResult.ErrorMessage + "\n\n" + BlockedEngine.Message;
            }
            else
            {
                testResult.Messages.Add(new TestResultMessage(TestResultMessage.AdditionalInfoCategory, BlockedEngine.Message));
            }
        }

        protocol.Write(AgentMessages.Result(testResult));
    }

    public void RecordStart(TestCase testCase)
    {
    }

    public void RecordEnd(TestCase testCase, TestOutcome outcome) => protocol.Write(AgentMessages.End(outcome));

    public void RecordAttachments(IList<AttachmentSet> attachmentSets)
    {
        // Run-level attachments of a one-test run have no place to go but the result's messages.
        foreach (var set in attachmentSets)
        {
            foreach (var attachment in set.Attachments)
            {
                SendMessage(TestMessageLevel.Informational, $"Attachment {attachment.Uri} ({attachment.Description})");
            }
        }
    }

    public void SendMessage(TestMessageLevel testMessageLevel, string message) => protocol.Write(AgentMessages.Log(testMessageLevel, message));

    public int LaunchProcessWithDebuggerAttached(string filePath, string? workingDirectory, string? arguments, IDictionary<string, string?>? environmentVariables) =>
        throw new NotSupportedException("Tests running in containers cannot be debugged; debug runs execute natively.");
}
