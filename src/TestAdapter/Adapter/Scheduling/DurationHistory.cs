namespace ContainerTest.TestAdapter.Scheduling;

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// Each test's last duration and outcome, kept in a JSON file (by default in the project's
/// obj/ folder, see ContainerTest.targets) from one run to the next. Tests not in a run keep
/// their entries: a filtered run forgets nothing. A file that cannot be read is ignored (the
/// run then keeps the discovery order) and one that cannot be written is left as it was:
/// the history only ever orders tests, it never fails a run.
/// </summary>
internal sealed class DurationHistory
{
    private const int FormatVersion = 1;

    private readonly object gate = new();
    private readonly Dictionary<TestKey, HistoryEntry> entries;

    private DurationHistory(string? path, Dictionary<TestKey, HistoryEntry> entries)
    {
        Path = path;
        this.entries = entries;
    }

    /// <summary>The file the history lives in; null when there is none (nothing is then loaded or saved).</summary>
    public string? Path { get; }

    /// <summary>A snapshot of the entries.</summary>
    public IReadOnlyDictionary<TestKey, HistoryEntry> Entries
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<TestKey, HistoryEntry>(entries);
            }
        }
    }

    /// <summary>Reads the history at <paramref name="path"/>; empty when there is no file yet, or when it cannot be read (said once through <paramref name="logger"/>).</summary>
    public static async Task<DurationHistory> LoadAsync(string? path, IMessageLogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (path is null || !File.Exists(path))
        {
            return new DurationHistory(path, []);
        }

        try
        {
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                var node = await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new DurationHistory(path, Parse(node));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            logger.SendMessage(TestMessageLevel.Informational, $"ContainerTest: ignored the test duration history {path} ({ex.Message}); tests run in discovery order, and the file is written anew at the end of the run.");
            return new DurationHistory(path, []);
        }
    }

    /// <summary>Remembers how a test just ended; a zero duration (it never started) keeps the duration remembered before.</summary>
    public void Record(TestKey key, TimeSpan duration, TestOutcome outcome)
    {
        lock (gate)
        {
            if (duration <= TimeSpan.Zero && entries.TryGetValue(key, out var before))
            {
                duration = before.Duration;
            }

            entries[key] = new HistoryEntry(duration < TimeSpan.Zero ? TimeSpan.Zero : duration, outcome);
        }
    }

    /// <summary>
    /// Writes the history to a temporary file beside <see cref="Path"/> and renames it over the
    /// old one, so that a run killed mid-write leaves the previous history whole. A failure is
    /// said through <paramref name="logger"/>, never thrown.
    /// </summary>
    public async Task SaveAsync(IMessageLogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (Path is null)
        {
            return;
        }

        var temporary = $"{Path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var stream = File.Create(temporary);
            await using (stream.ConfigureAwait(false))
            {
                using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                Serialize().WriteTo(writer);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            logger.SendMessage(TestMessageLevel.Informational, $"ContainerTest: could not write the test duration history {Path} ({ex.Message}); the next run orders its tests by the history as it was.");
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do: a stray temporary file beside the history is harmless.
            }
        }
    }

    private static Dictionary<TestKey, HistoryEntry> Parse(JsonNode? node)
    {
        var entries = new Dictionary<TestKey, HistoryEntry>();
        if (node?["version"]?.GetValue<int>() != FormatVersion || node["tests"] is not JsonArray tests)
        {
            throw new FormatException($"not a version {FormatVersion} history");
        }

        foreach (var test in tests)
        {
            var key = new TestKey(
                test?["source"]?.GetValue<string>() ?? throw new FormatException("a test without a source"),
                test["name"]?.GetValue<string>() ?? throw new FormatException("a test without a name"),
                test["displayName"]?.GetValue<string>() ?? throw new FormatException("a test without a display name"));
            var milliseconds = test["durationMs"]?.GetValue<double>() ?? 0;
            var outcome = Enum.Parse<TestOutcome>(test["outcome"]?.GetValue<string>() ?? nameof(TestOutcome.None), ignoreCase: true);
            entries[key] = new HistoryEntry(TimeSpan.FromMilliseconds(Math.Max(0, milliseconds)), outcome);
        }

        return entries;
    }

    private JsonObject Serialize()
    {
        var tests = new JsonArray();
        foreach (var (key, entry) in Entries
            .OrderBy(e => e.Key.Source, StringComparer.Ordinal)
            .ThenBy(e => e.Key.FullyQualifiedName, StringComparer.Ordinal)
            .ThenBy(e => e.Key.DisplayName, StringComparer.Ordinal))
        {
            tests.Add(new JsonObject
            {
                ["source"] = key.Source,
                ["name"] = key.FullyQualifiedName,
                ["displayName"] = key.DisplayName,
                ["durationMs"] = Math.Round(entry.Duration.TotalMilliseconds, 1),
                ["outcome"] = entry.Outcome.ToString(),
            });
        }

        return new JsonObject { ["version"] = FormatVersion, ["tests"] = tests };
    }
}
