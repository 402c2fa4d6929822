namespace ContainerTest.TestAdapter.TestingPlatform;

using System.Collections;
using System.Text.Json.Nodes;
using ContainerTest.TestAdapter.Execution;
using ContainerTest.TestAdapter.Scheduling;
using ContainerTest.TestAdapter.Settings;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// The entry ContainerTest's Microsoft.Testing.Platform extension calls, across load contexts, with
/// nothing but text: the same run the VSTest adapter does (settings, scheduling by history, the
/// container runtime's pools, crash and timeout handling), for the tests of one test application.
/// The extension finds these methods by name; their signatures use only the .NET runtime's types.
/// </summary>
public static class TestingPlatformRun
{
    /// <summary>
    /// Whether a run of <paramref name="application"/> goes to sandboxes or containers: a JSON object
    /// <c>{"mode": "containers" | "native" | "invalid", "messages": [...]}</c> — native when ContainerTest
    /// is switched off at run time (CONTAINERTEST=0; the message says so), invalid when a setting is
    /// bad (the message names it, and every test fails with it).
    /// </summary>
    public static string Plan(string application)
    {
        try
        {
            var settings = Load(application);
            var coverage = Coverage.TestingPlatformCodeCoverage.Warning(Path.GetDirectoryName(Path.GetFullPath(application))!, Environment.GetCommandLineArgs().Skip(1));
            return settings.Enabled
                ? Answer("containers", coverage is null ? settings.Warnings : [.. settings.Warnings, coverage])
                : Answer("native", [.. settings.Warnings, "ContainerTest: switched off (ContainerTest=false or CONTAINERTEST=0), so tests run natively, not in containers."]);
        }
        catch (InvalidSettingException ex)
        {
            return Answer("invalid", [ex.Message]);
        }
    }

    /// <summary>
    /// Runs <paramref name="tests"/> (each <c>[uid, display name]</c>) of the test application
    /// <paramref name="application"/> (its main assembly), each in a fresh sandbox or container
    /// where the application runs with <paramref name="arguments"/> and is handed that one test.
    /// Every start, result, end and message is reported as a JSON event (see <see cref="TestingPlatformHandle"/>);
    /// every test gets a result, whatever goes wrong. Completes when the last test ended, or when
    /// <paramref name="cancellationToken"/> stopped the run (its sandboxes and containers removed).
    /// </summary>
    public static Task RunAsync(string application, string[] arguments, string[][] tests, Action<string> report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tests);
        ArgumentNullException.ThrowIfNull(report);
        var settings = Load(application);
        var testCases = tests.Select(t => TestingPlatformTests.Create(application, t[0], t[1], arguments)).ToList();
        var recorder = new DurationRecorder();
        var handle = new SynchronizedFrameworkHandle(new TestingPlatformHandle(report), recorder);
        var attachments = Path.Combine(Path.GetDirectoryName(application)!, "TestResults", "ContainerTest");
        var run = new ContainerizedRun(settings, runSettingsXml: null, attachments, handle);
        return HistoryScheduledRun.RunAsync(settings.HistoryFile, testCases, handle, recorder, run.RunAsync, cancellationToken);
    }

    private static ContainerTestSettings Load(string application) =>
        SettingsLoader.Load(Path.GetDirectoryName(Path.GetFullPath(application)), runSettingsXml: null, (IDictionary)Environment.GetEnvironmentVariables());

    private static string Answer(string mode, IEnumerable<string> messages) =>
        new JsonObject { ["mode"] = mode, ["messages"] = new JsonArray(messages.Select(m => (JsonNode)JsonValue.Create(m)!).ToArray()) }.ToJsonString();
}
