namespace ContainerTest.Protocol;

using System.Xml.Linq;

/// <summary>
/// MSTest captures Console output in memory and hands it over with the result — so a test that
/// hangs or ends the process takes its output with it. Inside a container the process holds one
/// test only, so ContainerTest switches MSTest's capture off and takes the output from the
/// container's stdout instead, where it survives a hang or a crash.
/// </summary>
public static class ConsoleCapture
{
    /// <summary>MSTest's executor URI (3.x and 4.x).</summary>
    public const string MSTestExecutorUri = "executor://mstestadapter/v2";

    /// <summary>True when ContainerTest takes this framework's console output from the container's stdout.</summary>
    public static bool TakenFromContainer(string executorUri) =>
        string.Equals(executorUri, MSTestExecutorUri, StringComparison.OrdinalIgnoreCase);

    /// <summary>The run settings with MSTest's console capture off (unless the user set it explicitly).</summary>
    public static string WithoutFrameworkCapture(string? runSettingsXml)
    {
        var document = string.IsNullOrWhiteSpace(runSettingsXml) ? new XDocument(new XElement("RunSettings")) : XDocument.Parse(runSettingsXml);
        var root = document.Root!;
        var mstest = root.Element("MSTest") ?? root.Element("MSTestV2");
        if (mstest is null)
        {
            mstest = new XElement("MSTest");
            root.Add(mstest);
        }

        if (mstest.Element("CaptureTraceOutput") is null)
        {
            mstest.Add(new XElement("CaptureTraceOutput", "false"));
        }

        return document.ToString(SaveOptions.DisableFormatting);
    }
}
