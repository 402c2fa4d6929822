namespace ContainerTest.Cli.Projects;

using System.Text;
using ContainerTest.Cli.Filtering;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>The tests of a project and those a filter selects, with the messages for "none" and "too many".</summary>
internal sealed record TestSelection(string TestAssembly, IReadOnlyList<TestCase> All, IReadOnlyList<TestCase> Selected, string? Filter)
{
    private const int CandidatesShown = 20;

    public static async Task<TestSelection> DiscoverAsync(string testAssembly, string? filter, CancellationToken cancellationToken)
    {
        var parsed = string.IsNullOrWhiteSpace(filter) ? null : TestFilter.Parse(filter);
        var all = await TestDiscovery.DiscoverAsync(testAssembly, cancellationToken).ConfigureAwait(false);
        return new TestSelection(testAssembly, all, parsed is null ? all : all.Where(parsed.Matches).ToList(), filter);
    }

    /// <summary>The one selected test; otherwise a message listing the candidates.</summary>
    /// <exception cref="CliException">None or several match.</exception>
    public TestCase Single()
    {
        if (Selected.Count == 1)
        {
            return Selected[0];
        }

        var text = new StringBuilder();
        if (All.Count == 0)
        {
            throw new CliException($"{Path.GetFileName(TestAssembly)} has no tests.");
        }

        if (Selected.Count == 0)
        {
            text.Append(Filter is null ? "No test selected." : $"No test matches '{Filter}'.").Append(" The tests of ").Append(Path.GetFileName(TestAssembly)).Append(" are:");
            AppendCandidates(text, All);
        }
        else
        {
            text.Append(Filter is null ? $"{Path.GetFileName(TestAssembly)} has {Selected.Count} tests" : $"{Selected.Count} tests match '{Filter}'").Append("; choose one:");
            AppendCandidates(text, Selected);
        }

        text.Append("\nName one test, e.g. \"FullyQualifiedName=").Append(Selected.Count > 0 ? Selected[0].FullyQualifiedName : All[0].FullyQualifiedName).Append("\".");
        throw new CliException(text.ToString());
    }

    private static void AppendCandidates(StringBuilder text, IReadOnlyList<TestCase> testCases)
    {
        foreach (var testCase in testCases.Take(CandidatesShown))
        {
            text.Append("\n  ").Append(testCase.FullyQualifiedName);
            if (testCase.DisplayName != testCase.FullyQualifiedName && !testCase.FullyQualifiedName.EndsWith(testCase.DisplayName, StringComparison.Ordinal))
            {
                text.Append("  (").Append(testCase.DisplayName).Append(')');
            }
        }

        if (testCases.Count > CandidatesShown)
        {
            text.Append("\n  … and ").Append(testCases.Count - CandidatesShown).Append(" more");
        }
    }
}
