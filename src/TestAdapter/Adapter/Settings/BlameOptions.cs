namespace ContainerTest.TestAdapter.Settings;

using System.Globalization;
using System.Xml.Linq;

/// <summary>
/// vstest's blame collector (<c>dotnet test --blame-hang-timeout</c>, <c>--blame-crash</c>) watches
/// the test host, not the containers the tests run in. Its hang timeout becomes the per-test
/// timeout (a little shorter, so that ContainerTest stops the hung test's container and reports
/// it by name with its output before blame ends the whole test host); crash dumps cannot be taken
/// in a container, and the run says so.
/// </summary>
internal static class BlameOptions
{
    /// <summary><paramref name="settings"/> adjusted to the blame collector's options in <paramref name="runSettingsXml"/>.</summary>
    public static ContainerTestSettings Apply(ContainerTestSettings settings, string? runSettingsXml)
    {
        var configuration = BlameConfiguration(runSettingsXml);
        if (configuration is null)
        {
            return settings;
        }

        if (configuration.Element("CollectDumpOnTestSessionHang")?.Attribute("TestTimeout")?.Value is { } text && TryParseTimeout(text, out var hang))
        {
            var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, hang.Ticks / 4));
            var timeout = hang - margin;
            if (timeout < settings.Timeout)
            {
                settings = settings with
                {
                    Timeout = timeout,
                    TimeoutOrigin = $"--blame-hang-timeout {hang.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s, less {margin.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s so that the hung test is named before blame stops the test host",
                };
            }
        }

        if (configuration.Element("CollectDump") is not null)
        {
            settings = settings with
            {
                BlameCrash = true,
                Warnings =
                [
                    .. settings.Warnings,
                    "ContainerTest: --blame-crash takes dumps of the test host process, and the tests run in containers: no dump is collected for a test that crashes there. "
                    + "Its result says how it ended, with its output; to get a dump, run that test natively (CONTAINERTEST=0) with --blame-crash.",
                ],
            };
        }

        return settings;
    }

    private static XElement? BlameConfiguration(string? runSettingsXml)
    {
        if (string.IsNullOrWhiteSpace(runSettingsXml))
        {
            return null;
        }

        var collector = XDocument.Parse(runSettingsXml).Root?.Element("DataCollectionRunSettings")?.Element("DataCollectors")?.Elements("DataCollector")
            .FirstOrDefault(c => string.Equals(c.Attribute("friendlyName")?.Value, "blame", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(c.Attribute("enabled")?.Value, "false", StringComparison.OrdinalIgnoreCase));
        return collector?.Element("Configuration");
    }

    /// <summary>vstest writes the timeout in milliseconds; a runsettings file may give a unit (90s, 10m).</summary>
    private static bool TryParseTimeout(string text, out TimeSpan timeout)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds > 0)
        {
            timeout = TimeSpan.FromMilliseconds(milliseconds);
            return true;
        }

        return SettingValueParser.TryParseDuration(text, out timeout);
    }
}
