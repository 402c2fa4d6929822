namespace ContainerTest.TestAdapter.Tests.Fixtures;

using System.Xml.Linq;

/// <summary>The results of a TRX file, as the Visual Studio TRX logger wrote them.</summary>
internal sealed class TrxReport
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    private TrxReport(IReadOnlyList<TrxResult> results, IReadOnlyDictionary<string, string> counters)
    {
        Results = results;
        Counters = counters;
    }

    /// <summary>Top-level results (one per test case, or per data row where the framework reports rows separately).</summary>
    public IReadOnlyList<TrxResult> Results { get; }

    /// <summary>The run's counters (total, executed, passed, failed…).</summary>
    public IReadOnlyDictionary<string, string> Counters { get; }

    public static TrxReport Load(string path)
    {
        var document = XDocument.Load(path);
        var results = document.Root!.Element(Ns + "Results")?.Elements(Ns + "UnitTestResult").Select(Read).ToList() ?? [];
        var counters = document.Root.Element(Ns + "ResultSummary")?.Element(Ns + "Counters")?.Attributes().ToDictionary(a => a.Name.LocalName, a => a.Value)
            ?? new Dictionary<string, string>();
        return new TrxReport(results, counters);
    }

    /// <summary>The single result whose name is <paramref name="testName"/>.</summary>
    public TrxResult Single(string testName)
    {
        var matches = Results.Where(r => r.TestName == testName).ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new InvalidOperationException($"expected one result named '{testName}', found {matches.Count}; names: {string.Join(" | ", Results.Select(r => r.TestName))}");
    }

    private static TrxResult Read(XElement element)
    {
        var output = element.Element(Ns + "Output");
        return new TrxResult(
            element.Attribute("testName")?.Value ?? string.Empty,
            element.Attribute("outcome")?.Value ?? string.Empty,
            element.Attribute("computerName")?.Value ?? string.Empty,
            output?.Element(Ns + "StdOut")?.Value ?? string.Empty,
            output?.Element(Ns + "StdErr")?.Value ?? string.Empty,
            output?.Element(Ns + "ErrorInfo")?.Element(Ns + "Message")?.Value ?? string.Empty,
            output?.Element(Ns + "ErrorInfo")?.Element(Ns + "StackTrace")?.Value ?? string.Empty,
            element.Element(Ns + "ResultFiles")?.Elements(Ns + "ResultFile").Select(f => f.Attribute("path")?.Value ?? string.Empty).ToList() ?? [],
            output?.Element(Ns + "TextMessages")?.Elements(Ns + "Message").Select(m => m.Value).ToList() ?? [],
            element.Element(Ns + "InnerResults")?.Elements(Ns + "UnitTestResult").Select(Read).ToList() ?? [])
        {
            StartTime = DateTimeOffset.TryParse(element.Attribute("startTime")?.Value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var start) ? start : null,
        };
    }
}

/// <summary>One UnitTestResult of a TRX file.</summary>
internal sealed record TrxResult(
    string TestName,
    string Outcome,
    string ComputerName,
    string StdOut,
    string StdErr,
    string ErrorMessage,
    string StackTrace,
    IReadOnlyList<string> ResultFiles,
    IReadOnlyList<string> TextMessages,
    IReadOnlyList<TrxResult> InnerResults)
{
    /// <summary>When the test started, as its result says; null when the TRX has no start time.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>
    /// The container or sandbox the result says it ran in (ContainerTest adds that line to every
    /// result: "ran in container ID" or "ran in sandbox ID"), or null.
    /// </summary>
    public string? ContainerId => TextMessages
        .Select(m => m.Trim())
        .Select(m => m.StartsWith("ContainerTest: ran in container ", StringComparison.Ordinal) ? m["ContainerTest: ran in container ".Length..]
            : m.StartsWith("ContainerTest: ran in sandbox ", StringComparison.Ordinal) ? m["ContainerTest: ran in sandbox ".Length..]
            : null)
        .FirstOrDefault(id => id is not null);
}
