namespace ContainerTest.TestAdapter.Settings;

using System.Collections;
using System.Text.Json;
using System.Xml.Linq;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// Builds the effective settings from, lowest precedence first: the file the build writes into
/// the output (MSBuild properties), the runsettings <c>&lt;ContainerTest&gt;</c> section, and
/// <c>CONTAINERTEST_*</c> environment variables. An invalid value is an error naming the
/// setting, where it came from, the value, and what is accepted.
/// </summary>
internal static class SettingsLoader
{
    /// <summary>The file the build writes, relative to the test output folder.</summary>
    public const string BuildSettingsFile = ".containertest/settings.json";

    private static readonly Setting[] Settings =
    [
        new("Enabled", "ContainerTest", "CONTAINERTEST", SettingValueParser.BooleanForms, (s, v) => SettingValueParser.TryParseBoolean(v, out var b) ? s with { Enabled = b } : null),
        new("Isolation", "ContainerTestIsolation", "CONTAINERTEST_ISOLATION", "sandbox or container", (s, v) => v.Trim().ToLowerInvariant() switch
        {
            "sandbox" => s with { Isolation = ContainerRuntime.Composition.JobIsolation.Sandbox },
            "container" => s with { Isolation = ContainerRuntime.Composition.JobIsolation.Container },
            _ => null,
        }),
        new("Image", "ContainerTestImage", "CONTAINERTEST_IMAGE", "an image reference such as debian:bookworm or registry/x@sha256:…", (s, v) => string.IsNullOrWhiteSpace(v) ? null : s with { Image = v.Trim() }),
        new("Parallelism", "ContainerTestParallelism", "CONTAINERTEST_PARALLELISM", "a whole number of containers, at least 1", (s, v) => SettingValueParser.TryParsePositiveInt(v, out var n) ? s with { Parallelism = n } : null),
        new("PoolDepth", "ContainerTestPoolDepth", "CONTAINERTEST_POOL_DEPTH", "a whole number of containers started ahead, 0 for none", (s, v) => int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? s with { PoolDepth = n } : null),
        new("Timeout", "ContainerTestTimeout", "CONTAINERTEST_TIMEOUT", SettingValueParser.DurationForms, (s, v) => SettingValueParser.TryParseDuration(v, out var t) ? s with { Timeout = t } : null),
        new("Network", "ContainerTestNetwork", "CONTAINERTEST_NETWORK", "none, loopback, open or allow:host:port[,host:port…]", (s, v) => NetworkPolicy.TryParse(v, out var p, out _) ? s with { Network = p! } : null),
        new("DockerAccess", "ContainerTestDockerAccess", "CONTAINERTEST_DOCKER_ACCESS", SettingValueParser.BooleanForms, (s, v) => SettingValueParser.TryParseBoolean(v, out var b) ? s with { DockerAccess = b } : null),
        new("Memory", "ContainerTestMemory", "CONTAINERTEST_MEMORY", SettingValueParser.SizeForms, (s, v) => SettingValueParser.TryParseSize(v, out var b) ? s with { MemoryBytes = b } : null),
        new("Cpus", "ContainerTestCpus", "CONTAINERTEST_CPUS", "a positive number of cores such as 1, 0.5 or 2", (s, v) => SettingValueParser.TryParsePositiveDouble(v, out var c) ? s with { Cpus = c } : null),
        new("Pids", "ContainerTestPids", "CONTAINERTEST_PIDS", "a whole number of processes and threads, at least 1", (s, v) => SettingValueParser.TryParsePositiveInt(v, out var n) ? s with { Pids = n } : null),
        new("User", "ContainerTestUser", "CONTAINERTEST_USER", "a numeric uid or uid:gid such as 1000:1000", (s, v) => UserIdentity.TryParse(v, out var u) ? s with { User = u! } : null),
        new("TmpSize", "ContainerTestTmpSize", "CONTAINERTEST_TMPSIZE", SettingValueParser.SizeForms, (s, v) => SettingValueParser.TryParseSize(v, out var b) ? s with { TmpSizeBytes = b } : null),
        new("HistoryFile", "ContainerTestHistoryFile", "CONTAINERTEST_HISTORY_FILE", "a file path", (s, v) => string.IsNullOrWhiteSpace(v) ? null : s with { HistoryFile = Path.GetFullPath(v.Trim()) }),
    ];

    /// <summary>Loads the settings for tests in <paramref name="outputDirectory"/>.</summary>
    /// <exception cref="InvalidSettingException">A value is invalid.</exception>
    public static ContainerTestSettings Load(string? outputDirectory, string? runSettingsXml, IDictionary environment)
    {
        var settings = new ContainerTestSettings { Services = ServiceList.Load(outputDirectory) };
        if (outputDirectory is not null)
        {
            settings = ApplyBuildFile(settings, Path.Combine(outputDirectory, BuildSettingsFile));
        }

        settings = ApplyRunSettings(settings, runSettingsXml);
        foreach (var setting in Settings)
        {
            var names = setting.EnvironmentName == "CONTAINERTEST" ? new[] { "CONTAINERTEST_ENABLED", "CONTAINERTEST" } : new[] { setting.EnvironmentName };
            foreach (var name in names)
            {
                if (environment[name] is string value && value.Length > 0)
                {
                    settings = setting.Apply(settings, value) ?? throw Invalid(setting, $"environment variable {name}", value);
                }
            }
        }

        return settings;
    }

    private static ContainerTestSettings ApplyBuildFile(ContainerTestSettings settings, string path)
    {
        if (!File.Exists(path))
        {
            return settings;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var setting in Settings)
        {
            if (document.RootElement.TryGetProperty(setting.Name, out var element) && element.ValueKind == JsonValueKind.String
                && element.GetString() is { Length: > 0 } value)
            {
                settings = setting.Apply(settings, value) ?? throw Invalid(setting, $"MSBuild property {setting.MsBuildName}", value);
            }
        }

        return settings;
    }

    private static ContainerTestSettings ApplyRunSettings(ContainerTestSettings settings, string? xml)
    {
        if (string.IsNullOrWhiteSpace(xml))
        {
            return settings;
        }

        var section = XDocument.Parse(xml).Root?.Element("ContainerTest");
        if (section is null)
        {
            return settings;
        }

        foreach (var element in section.Elements())
        {
            var setting = Settings.FirstOrDefault(s => string.Equals(s.Name, element.Name.LocalName, StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidSettingException(
                    $"ContainerTest: the runsettings <ContainerTest> section has an unknown setting <{element.Name.LocalName}>. Known settings: {string.Join(", ", Settings.Select(s => s.Name))}.");
            settings = setting.Apply(settings, element.Value) ?? throw Invalid(setting, $"runsettings <ContainerTest><{setting.Name}>", element.Value);
        }

        return settings;
    }

    private static InvalidSettingException Invalid(Setting setting, string source, string value) =>
        new($"ContainerTest: invalid value '{value}' for {setting.Name} (from {source}): expected {setting.Accepted}.");

    private sealed record Setting(string Name, string MsBuildName, string EnvironmentName, string Accepted, Func<ContainerTestSettings, string, ContainerTestSettings?> Apply);
}
