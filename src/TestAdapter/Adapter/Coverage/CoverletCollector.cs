namespace ContainerTest.TestAdapter.Coverage;

using System.Xml.Linq;

/// <summary>
/// Whether the run collects coverage with coverlet.collector (<c>--collect "XPlat Code Coverage"</c>,
/// or its entry in runsettings): only then do the agents look for coverlet's trackers after their
/// test, which costs a reflection pass over the loaded assemblies (about 20 ms of CPU).
/// </summary>
internal static class CoverletCollector
{
    private const string FriendlyName = "XPlat code coverage";
    private const string Uri = "datacollector://Microsoft/CoverletCodeCoverage/1.0";

    /// <summary>True when the run settings enable coverlet's data collector.</summary>
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

        return settings.Root?.Element("DataCollectionRunSettings")?.Element("DataCollectors")?.Elements("DataCollector").Any(IsCoverlet) ?? false;
    }

    private static bool IsCoverlet(XElement collector) =>
        !string.Equals((string?)collector.Attribute("enabled"), "false", StringComparison.OrdinalIgnoreCase)
        && (string.Equals((string?)collector.Attribute("friendlyName"), FriendlyName, StringComparison.OrdinalIgnoreCase)
            || string.Equals((string?)collector.Attribute("uri"), Uri, StringComparison.OrdinalIgnoreCase));
}
