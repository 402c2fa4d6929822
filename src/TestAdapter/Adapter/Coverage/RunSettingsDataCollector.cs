namespace ContainerTest.TestAdapter.Coverage;

using System.Xml.Linq;

/// <summary>
/// A data collector as runsettings name it (<c>RunSettings/DataCollectionRunSettings/DataCollectors/DataCollector</c>,
/// matched by <c>friendlyName</c> or <c>uri</c>, case ignored, as vstest matches them); <c>dotnet test --collect "…"</c>
/// writes the same element.
/// </summary>
/// <param name="FriendlyName">The collector's friendly name (what <c>--collect</c> takes).</param>
/// <param name="Uri">The collector's <c>datacollector://</c> URI.</param>
internal sealed record RunSettingsDataCollector(string FriendlyName, string Uri)
{
    /// <summary>True when the run settings enable this collector; false for no settings, unreadable XML, or <c>enabled="false"</c>.</summary>
    public bool IsEnabledIn(string? runSettingsXml) => ElementIn(runSettingsXml) is not null;

    /// <summary>The collector's <c>Configuration</c> element when the run settings enable it and give it one; otherwise null.</summary>
    public XElement? ConfigurationIn(string? runSettingsXml) => ElementIn(runSettingsXml)?.Element("Configuration");

    private XElement? ElementIn(string? runSettingsXml)
    {
        if (string.IsNullOrWhiteSpace(runSettingsXml))
        {
            return null;
        }

        XDocument settings;
        try
        {
            settings = XDocument.Parse(runSettingsXml);
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }

        return settings.Root?.Element("DataCollectionRunSettings")?.Element("DataCollectors")?.Elements("DataCollector").FirstOrDefault(Names);
    }

    private bool Names(XElement collector) =>
        !string.Equals((string?)collector.Attribute("enabled"), "false", StringComparison.OrdinalIgnoreCase)
        && (string.Equals((string?)collector.Attribute("friendlyName"), FriendlyName, StringComparison.OrdinalIgnoreCase)
            || string.Equals((string?)collector.Attribute("uri"), Uri, StringComparison.OrdinalIgnoreCase));
}
