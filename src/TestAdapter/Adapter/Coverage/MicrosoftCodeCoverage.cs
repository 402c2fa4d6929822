namespace ContainerTest.TestAdapter.Coverage;

using System.Xml.Linq;

/// <summary>
/// Microsoft's code coverage collector (Microsoft.CodeCoverage, <c>--collect "Code Coverage"</c>)
/// measures the test host it attaches its profiler to, and its static instrumentation reports
/// through files and a socket in the host's temp folder; neither reaches a test's container, so
/// with ContainerTest its report does not cover the code the tests ran. Until it does, the run says
/// so once (see <see cref="Warning"/>).
/// </summary>
internal static class MicrosoftCodeCoverage
{
    private const string Uri = "datacollector://Microsoft/CodeCoverage/2.0";
    private const string FriendlyName = "Code Coverage";

    /// <summary>What the run says when the collector is on and tests run in containers.</summary>
    public const string Warning =
        "ContainerTest: Microsoft's Code Coverage collector (--collect \"Code Coverage\") measures this test host only, not the tests' containers, so its report does not cover the code the tests ran. "
        + "Use coverlet.collector (--collect \"XPlat Code Coverage\"), whose report ContainerTest fills from every container, or run natively for Microsoft's collector (CONTAINERTEST=0).";

    /// <summary>True when the run settings enable Microsoft's code coverage data collector.</summary>
    public static bool IsEnabled(string? runSettingsXml)
    {
        if (string.IsNullOrWhiteSpace(runSettingsXml))
        {
            return false;
        }

        XDocument settings;
        try
        {
            settings = XDocument.Parse(runSettingsXml);
        }
        catch (System.Xml.XmlException)
        {
            return false;
        }

        return settings.Root?.Element("DataCollectionRunSettings")?.Element("DataCollectors")?.Elements("DataCollector").Any(IsMicrosoftCodeCoverage) ?? false;
    }

    private static bool IsMicrosoftCodeCoverage(XElement collector) =>
        !string.Equals((string?)collector.Attribute("enabled"), "false", StringComparison.OrdinalIgnoreCase)
        && (string.Equals((string?)collector.Attribute("friendlyName"), FriendlyName, StringComparison.OrdinalIgnoreCase)
            || string.Equals((string?)collector.Attribute("uri"), Uri, StringComparison.OrdinalIgnoreCase));
}
