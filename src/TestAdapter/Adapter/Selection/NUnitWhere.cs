namespace ContainerTest.TestAdapter.Selection;

using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// Selects one NUnit test in its container through NUnit's own filter language (runsettings
/// <c>&lt;NUnit&gt;&lt;Where&gt;</c>), for what the adapter's name list cannot do:
/// <list type="bullet">
/// <item>a test whose name holds characters that NUnit's XML name filter cannot carry (the control
/// characters of <c>[TestCase('\u0001')]</c>: VSTest's name shows them escaped as <c>\u0001</c>,
/// NUnit's own full name holds the character itself) — a regular expression matches either form;</item>
/// <item>an <c>[Explicit]</c> test that the run did not choose: NUnit must meet it without it being
/// explicitly selected, so that NUnit itself reports it as not run, with its reason, exactly as
/// in a native run. A filter joined with a negation (<c>&amp;&amp; cat != …</c>) is not an explicit
/// selection in NUnit's rules; one joined with <c>|| cat == …</c> is.</item>
/// </list>
/// NUnit3TestAdapter rewrites a filter into a list of names unless it names a category, so both
/// forms carry a category condition that no test has, and which changes nothing else.
/// </summary>
internal static class NUnitWhere
{
    /// <summary>A category no test carries: its condition is always true (!=) or always false (==).</summary>
    private const string NoCategory = "containertest:none";

    private static readonly Regex EscapedCharacter = new(@"\\u([0-9a-fA-F]{4})", RegexOptions.CultureInvariant);

    /// <summary>True when NUnit's name filter cannot select <paramref name="testCase"/> (its name holds an escaped character).</summary>
    public static bool NameCannotSelect(TestCase testCase) => EscapedCharacter.IsMatch(testCase.FullyQualifiedName);

    /// <summary>The filter that chooses exactly this test (explicitly, as a name would).</summary>
    public static string Choosing(TestCase testCase) => $"test =~ {Quote(FullNamePattern(testCase.FullyQualifiedName))} || cat == {Quote(NoCategory)}";

    /// <summary>The filter under which NUnit meets this test without choosing it (an [Explicit] test is then reported not run).</summary>
    public static string Meeting(TestCase testCase) => $"test =~ {Quote(FullNamePattern(testCase.FullyQualifiedName))} && cat != {Quote(NoCategory)}";

    /// <summary><paramref name="runSettingsXml"/> with <c>&lt;NUnit&gt;&lt;Where&gt;</c> set to <paramref name="where"/>.</summary>
    public static string InRunSettings(string? runSettingsXml, string where)
    {
        var document = string.IsNullOrWhiteSpace(runSettingsXml) ? new XDocument(new XElement("RunSettings")) : XDocument.Parse(runSettingsXml);
        var root = document.Root!;
        var nunit = root.Element("NUnit");
        if (nunit is null)
        {
            nunit = new XElement("NUnit");
            root.Add(nunit);
        }

        nunit.SetElementValue("Where", where);
        return document.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>
    /// A regular expression for NUnit's full name of a test whose VSTest name is <paramref name="fullyQualifiedName"/>:
    /// each escaped character (<c>\u0001</c>) matches either its escape or the character itself.
    /// </summary>
    internal static string FullNamePattern(string fullyQualifiedName)
    {
        var pattern = new StringBuilder("^");
        var at = 0;
        foreach (Match match in EscapedCharacter.Matches(fullyQualifiedName))
        {
            pattern.Append(Regex.Escape(fullyQualifiedName[at..match.Index]));
            pattern.Append(@"(?:\\u").Append(match.Groups[1].Value).Append(@"|\u").Append(match.Groups[1].Value).Append(')');
            at = match.Index + match.Length;
        }

        return pattern.Append(Regex.Escape(fullyQualifiedName[at..])).Append('$').ToString();
    }

    /// <summary>A quoted string of NUnit's filter language, where a backslash escapes the next character.</summary>
    private static string Quote(string text) => "'" + text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("'", @"\'", StringComparison.Ordinal) + "'";
}
