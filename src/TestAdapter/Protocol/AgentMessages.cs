namespace ContainerTest.Protocol;

using System.Text.Json.Nodes;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>The messages the agent sends, and how each is read back on the host.</summary>
public static class AgentMessages
{
    /// <summary>A test result (there can be several for one test case: data rows).</summary>
    public const string ResultKind = "result";

    /// <summary>Something the framework adapter logged.</summary>
    public const string LogKind = "log";

    /// <summary>The agent finished running the test case normally.</summary>
    public const string DoneKind = "done";

    /// <summary>
    /// The framework adapter ended the test case (IFrameworkHandle.RecordEnd): every result it will
    /// produce for it has been sent, whatever the process does afterwards.
    /// </summary>
    public const string EndKind = "end";

    /// <summary>Files a result attaches are sent along, up to this size each; larger ones are named but not copied.</summary>
    public const long MaxAttachmentBytes = 64L * 1024 * 1024;

    /// <summary>Builds a result message. Attachment files are read and embedded.</summary>
    public static JsonObject Result(TestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var attachments = new JsonArray();
        foreach (var set in result.Attachments)
        {
            var items = new JsonArray();
            foreach (var attachment in set.Attachments)
            {
                var item = new JsonObject { ["uri"] = attachment.Uri.OriginalString, ["description"] = attachment.Description };
                var path = attachment.Uri.IsAbsoluteUri && attachment.Uri.IsFile ? attachment.Uri.LocalPath : attachment.Uri.OriginalString;
                if (File.Exists(path) && new FileInfo(path).Length <= MaxAttachmentBytes)
                {
                    item["fileName"] = Path.GetFileName(path);
                    item["content"] = Convert.ToBase64String(File.ReadAllBytes(path));
                }

                items.Add(item);
            }

            attachments.Add(new JsonObject { ["uri"] = set.Uri.OriginalString, ["displayName"] = set.DisplayName, ["items"] = items });
        }

        return new JsonObject
        {
            ["kind"] = ResultKind,
            ["outcome"] = (int)result.Outcome,
            ["errorMessage"] = result.ErrorMessage,
            ["errorStackTrace"] = result.ErrorStackTrace,
            ["displayName"] = result.DisplayName,
            ["durationTicks"] = result.Duration.Ticks,
            ["startTime"] = result.StartTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["endTime"] = result.EndTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["messages"] = new JsonArray(result.Messages.Select(m => (JsonNode)new JsonObject { ["category"] = m.Category, ["text"] = m.Text }).ToArray()),
            ["attachments"] = attachments,
            ["properties"] = TestObjectJson.WriteProperties(result),
        };
    }

    /// <summary>Builds a log message.</summary>
    public static JsonObject Log(TestMessageLevel level, string text) =>
        new() { ["kind"] = LogKind, ["level"] = (int)level, ["text"] = text };

    /// <summary>Builds the message that the framework ended the test case with <paramref name="outcome"/>.</summary>
    public static JsonObject End(TestOutcome outcome) => new() { ["kind"] = EndKind, ["outcome"] = (int)outcome };

    /// <summary>Builds the closing message.</summary>
    public static JsonObject Done() => new() { ["kind"] = DoneKind };

    /// <summary>The kind of a message.</summary>
    public static string? KindOf(JsonObject message) => message?["kind"]?.GetValue<string>();

    /// <summary>
    /// Rebuilds a result for <paramref name="testCase"/> from a result message. Attachment files
    /// are written under <paramref name="attachmentDirectory"/> and pointed at there.
    /// </summary>
    public static TestResult ReadResult(JsonObject message, TestCase testCase, string attachmentDirectory)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = new TestResult(TestCaseTags.FrameworkView(testCase));
        if (message["properties"] is JsonArray properties)
        {
            TestObjectJson.ReadProperties(properties, result);
        }

        result.Outcome = (TestOutcome)(message["outcome"]?.GetValue<int>() ?? (int)TestOutcome.None);
        result.ErrorMessage = message["errorMessage"]?.GetValue<string>();
        result.ErrorStackTrace = message["errorStackTrace"]?.GetValue<string>();
        result.DisplayName = message["displayName"]?.GetValue<string>();
        result.Duration = TimeSpan.FromTicks(message["durationTicks"]?.GetValue<long>() ?? 0);
        if (DateTimeOffset.TryParse(message["startTime"]?.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var start))
        {
            result.StartTime = start;
        }

        if (DateTimeOffset.TryParse(message["endTime"]?.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var end))
        {
            result.EndTime = end;
        }

        foreach (var node in message["messages"] as JsonArray ?? [])
        {
            if (node?["category"]?.GetValue<string>() is { } category)
            {
                result.Messages.Add(new TestResultMessage(category, node["text"]?.GetValue<string>()));
            }
        }

        foreach (var setNode in message["attachments"] as JsonArray ?? [])
        {
            if (setNode is not JsonObject setJson)
            {
                continue;
            }

            var set = new AttachmentSet(new Uri(setJson["uri"]?.GetValue<string>() ?? "attachment://containertest", UriKind.RelativeOrAbsolute), setJson["displayName"]?.GetValue<string>() ?? "Attachments");
            foreach (var itemNode in setJson["items"] as JsonArray ?? [])
            {
                if (itemNode is not JsonObject item)
                {
                    continue;
                }

                var description = item["description"]?.GetValue<string>();
                if (item["content"]?.GetValue<string>() is { } content && item["fileName"]?.GetValue<string>() is { } fileName)
                {
                    Directory.CreateDirectory(attachmentDirectory);
                    var path = Path.Combine(attachmentDirectory, Path.GetFileName(fileName));
                    File.WriteAllBytes(path, Convert.FromBase64String(content));
                    set.Attachments.Add(new UriDataAttachment(new Uri(path, UriKind.Absolute), description));
                }
                else if (item["uri"]?.GetValue<string>() is { } uri)
                {
                    set.Attachments.Add(new UriDataAttachment(new Uri(uri, UriKind.RelativeOrAbsolute), description));
                }
            }

            result.Attachments.Add(set);
        }

        return result;
    }
}
