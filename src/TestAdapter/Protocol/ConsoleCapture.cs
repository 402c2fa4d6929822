namespace ContainerTest.Protocol;

using System.Xml.Linq;

/// <summary>
/// MSTest captures Console output in memory and hands it over with the result — so a test that
/// hangs or ends the process takes its output with it. Inside a container the process holds one
/// test only, so ContainerTest has MSTest write it through to the container's stdout, where it
/// survives a hang or a crash: MSTest 4 echoes it live (CaptureTraceOutput=Live) and still puts
/// it in the result; MSTest 3 stops capturing (CaptureTraceOutput=false), and the host puts what
/// the container printed into the result.
/// </summary>
public static class ConsoleCapture
{
    /// <summary>What MSTest's executor URIs start with (<c>…/v2</c> for 3.x, <c>…/v4</c> for 4.x).</summary>
    public const string MSTestExecutorUriPrefix = "executor://MSTestAdapter/";

    /// <summary>True when ContainerTest takes this framework's console output from the container's stdout.</summary>
    public static bool TakenFromContainer(string executorUri) =>
        executorUri?.StartsWith(MSTestExecutorUriPrefix, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The run settings with MSTest's console output echoed live (unless the user set capture explicitly).</summary>
    public static string WithoutFrameworkCapture(string? runSettingsXml, string executorUri)
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
            var live = executorUri.EndsWith("/v2", StringComparison.OrdinalIgnoreCase) ? "false" : "Live";
            mstest.Add(new XElement("CaptureTraceOutput", live));
        }

        return document.ToString(SaveOptions.DisableFormatting);
    }
}
