namespace ContainerTest.TestAdapter.Selection;

using System.Xml.Linq;
using ContainerTest.Protocol;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// What the framework would run, decided on the host over the whole run's selection — never by
/// the one-test selection inside a container, which some frameworks treat as a deliberate choice.
/// NUnit (NUnit3TestAdapter's rule, ExplicitMode Strict or Relaxed): an <c>[Explicit]</c> test,
/// or a test of an explicit fixture, runs only when every test the run selects from its assembly
/// is explicit; otherwise a run of everything reports it not run with its reason, and a filtered
/// run or a run of chosen test cases (<c>vstest.console /Tests:</c>, an IDE) leaves it out
/// silently. ExplicitMode None never runs one. xUnit v3 (xunit.runner.visualstudio's rule): an
/// explicit test runs only when vstest hands over test cases that are all explicit; a run of
/// sources (<c>dotnet test</c>, filtered or not) reports it not run — so its container gets
/// runsettings <c>xUnit/Explicit</c> set to that decision, unless the run settings set it.
/// Each test that stays is tagged with how its container must select it (see <see cref="Request"/>).
/// </summary>
internal static class FrameworkSelection
{
    /// <summary>NUnit3TestAdapter's executor URI.</summary>
    public const string NUnitExecutorUri = "executor://NUnit3TestExecutor";

    /// <summary>How a test's container selects it: by the framework's own filter, choosing it or only meeting it.</summary>
    private static readonly TestProperty Selection = TestProperty.Register(
        "ContainerTest.Selection",
        "ContainerTest selection",
        string.Empty,
        "How the test's container selects it: empty (the test case itself), 'choose' or 'meet' (through the framework's own filter).",
        typeof(string),
        null,
        TestPropertyAttributes.Hidden,
        typeof(TestCase));

    private const string Choose = "choose";
    private const string Meet = "meet";
    private const string XunitExplicitOn = "xunit-explicit-on";
    private const string XunitExplicitOff = "xunit-explicit-off";

    /// <summary>The tests of <paramref name="selected"/> that the frameworks would run or report, each tagged with how to select it.</summary>
    public static IReadOnlyList<TestCase> Apply(IReadOnlyList<TestCase> selected, RunKind kind, string? runSettingsXml)
    {
        var explicitMode = NUnitExplicitMode(runSettingsXml);
        var kept = new List<TestCase>(selected.Count);
        var explicitRun = selected
            .Where(IsNUnit)
            .GroupBy(t => t.Source, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.All(IsExplicit) && explicitMode != "None", StringComparer.Ordinal);
        var xunitExplicitRun = kind is RunKind.TestCases or RunKind.TestCasesInIde && selected.Where(IsXunit).All(IsXunitExplicit);
        foreach (var testCase in selected)
        {
            if (IsXunit(testCase) && IsXunitExplicit(testCase))
            {
                testCase.SetPropertyValue(Selection, xunitExplicitRun ? XunitExplicitOn : XunitExplicitOff);
            }

            if (!IsNUnit(testCase))
            {
                kept.Add(testCase);
                continue;
            }

            var chosen = !IsExplicit(testCase) || (explicitMode != "None" && explicitRun[testCase.Source]);
            if (chosen)
            {
                testCase.SetPropertyValue(Selection, NUnitWhere.NameCannotSelect(testCase) ? Choose : string.Empty);
                kept.Add(testCase);
            }
            else if (kind == RunKind.AllOfSources)
            {
                testCase.SetPropertyValue(Selection, Meet);
                kept.Add(testCase);
            }
        }

        return kept;
    }

    /// <summary>
    /// How the container runs <paramref name="testCase"/>: by itself (the run settings as given), or
    /// over its whole assembly with the framework's own filter in the run settings.
    /// </summary>
    public static (bool WholeSource, string? RunSettingsXml) Request(TestCase testCase, string? runSettingsXml) =>
        testCase.GetPropertyValue<string>(Selection, null) switch
        {
            Choose => (true, NUnitWhere.InRunSettings(runSettingsXml, NUnitWhere.Choosing(testCase))),
            Meet => (true, NUnitWhere.InRunSettings(runSettingsXml, NUnitWhere.Meeting(testCase))),
            XunitExplicitOn => (false, XunitExplicit(runSettingsXml, "on")),
            XunitExplicitOff => (false, XunitExplicit(runSettingsXml, "off")),
            _ => (false, runSettingsXml),
        };

    /// <summary>runsettings with <c>xUnit/Explicit</c> set to <paramref name="value"/>, unless the run settings set it already.</summary>
    private static string XunitExplicit(string? runSettingsXml, string value)
    {
        var document = string.IsNullOrWhiteSpace(runSettingsXml) ? new XDocument(new XElement("RunSettings")) : XDocument.Parse(runSettingsXml);
        var root = document.Root!;
        var xunit = root.Element("xUnit");
        if (xunit is null)
        {
            xunit = new XElement("xUnit");
            root.Add(xunit);
        }

        if (xunit.Element("Explicit") is null)
        {
            xunit.Add(new XElement("Explicit", value));
        }

        return document.ToString(SaveOptions.DisableFormatting);
    }

    private static bool IsXunit(TestCase testCase) =>
        TestCaseTags.FrameworkExecutorOf(testCase).Contains("xunit", StringComparison.OrdinalIgnoreCase);

    /// <summary>xunit.runner.visualstudio marks an explicit test with the property XunitTestCaseExplicit.</summary>
    private static bool IsXunitExplicit(TestCase testCase) =>
        testCase.Properties.FirstOrDefault(p => p.Id == "XunitTestCaseExplicit") is { } property
        && testCase.GetPropertyValue(property) is true or "True" or "true";

    private static bool IsNUnit(TestCase testCase) =>
        string.Equals(TestCaseTags.FrameworkExecutorOf(testCase), NUnitExecutorUri, StringComparison.OrdinalIgnoreCase);

    /// <summary>NUnit's discoverer marks an explicit test (or one in an explicit fixture) with the property NUnit.Explicit.</summary>
    private static bool IsExplicit(TestCase testCase) =>
        testCase.Properties.FirstOrDefault(p => p.Id == "NUnit.Explicit") is { } property
        && testCase.GetPropertyValue(property) is true or "True" or "true";

    /// <summary>runsettings <c>NUnit/ExplicitMode</c> (Strict by default).</summary>
    private static string NUnitExplicitMode(string? runSettingsXml)
    {
        if (string.IsNullOrWhiteSpace(runSettingsXml))
        {
            return "Strict";
        }

        var value = XDocument.Parse(runSettingsXml).Root?.Element("NUnit")?.Element("ExplicitMode")?.Value.Trim();
        return value is { Length: > 0 } ? char.ToUpperInvariant(value[0]) + value[1..].ToLowerInvariant() : "Strict";
    }
}
