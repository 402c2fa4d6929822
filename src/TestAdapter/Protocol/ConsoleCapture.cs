namespace ContainerTest.Protocol;

using System.Xml.Linq;

/// <summary>
/// MSTest captures Console output in memory and hands it over with the result — so a test that
/// hangs or ends the process takes its output with it. Inside a container the process holds one
/// test only, so ContainerTest has MSTest write it through to the container's stdout, where it
/// survives a hang or a crash: MSTest 4.4 and later echo it live (CaptureTraceOutput=Live) and
/// still put it in the result; older versions stop capturing (CaptureTraceOutput=false), and the
/// host puts what the container printed into the result. The choice follows the MSTest adapter
/// actually loaded: MSTest 4.0.x rejects Live ("Invalid value 'Live' for runsettings entry
/// 'CaptureTraceOutput'") and then captures in memory again; 4.4.0 and 4.5.x were seen to
/// accept it (the versions in between were not available to try, so they get false).
/// </summary>
public static class ConsoleCapture
{
    /// <summary>What MSTest's executor URIs start with (<c>…/v2</c> for 3.x, <c>…/v4</c> for 4.x).</summary>
    public const string MSTestExecutorUriPrefix = "executor://MSTestAdapter/";

    /// <summary>True when ContainerTest takes this framework's console output from the container's stdout.</summary>
    public static bool TakenFromContainer(string executorUri) =>
        executorUri?.StartsWith(MSTestExecutorUriPrefix, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The first MSTest version known to accept CaptureTraceOutput=Live.</summary>
    public static readonly Version FirstWithLiveEcho = new(4, 4);

    /// <summary>
    /// The run settings with MSTest's console output written through (unless the user set capture
    /// explicitly): Live when the adapter at <paramref name="adapterPath"/> (its product version)
    /// accepts it, false otherwise.
    /// </summary>
    public static string WithoutFrameworkCapture(string? runSettingsXml, string executorUri, string? adapterPath = null)
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
            var live = !executorUri.EndsWith("/v2", StringComparison.OrdinalIgnoreCase) && VersionOf(adapterPath) is { } version && version >= FirstWithLiveEcho ? "Live" : "false";
            mstest.Add(new XElement("CaptureTraceOutput", live));
        }

        return document.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>The product version (major.minor.patch) of an adapter assembly; null when it cannot be read.</summary>
    public static Version? VersionOf(string? adapterPath)
    {
        if (adapterPath is null || !File.Exists(adapterPath))
        {
            return null;
        }

        var text = System.Diagnostics.FileVersionInfo.GetVersionInfo(adapterPath).ProductVersion ?? string.Empty;
        var end = text.IndexOfAny(['-', '+', ' ']);
        return Version.TryParse(end < 0 ? text : text[..end], out var version) ? version : null;
    }
}
