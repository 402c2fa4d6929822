namespace ContainerTest.TestAdapter.Selection;

using System.Xml.Linq;

/// <summary>What vstest's <c>RunConfiguration</c> section of the run settings says about the run.</summary>
internal static class RunSettingsFacts
{
    /// <summary>True when the run comes from an IDE (<c>RunConfiguration/DesignMode</c>), as frameworks read it.</summary>
    public static bool IsDesignMode(string? runSettingsXml) =>
        !string.IsNullOrWhiteSpace(runSettingsXml)
        && bool.TryParse(XDocument.Parse(runSettingsXml).Root?.Element("RunConfiguration")?.Element("DesignMode")?.Value, out var designMode)
        && designMode;
}
