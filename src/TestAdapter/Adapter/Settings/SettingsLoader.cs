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
        new("Cluster", "ContainerTestCluster", "CONTAINERTEST_CLUSTER", "none or swarm", (s, v) => v.Trim().ToLowerInvariant() switch
        {
            "none" => s with { Cluster = ContainerRuntime.Composition.JobCluster.None },
            "swarm" => s with { Cluster = ContainerRuntime.Composition.JobCluster.Swarm },
            _ => null,
        }),
        new("Registry", "ContainerTestRegistry", "CONTAINERTEST_REGISTRY", "a registry host[:port][/path] such as registry.example:5000", (s, v) => string.IsNullOrWhiteSpace(v) || v.Contains("://", StringComparison.Ordinal) || v.Trim().Any(char.IsWhiteSpace) ? null : s with { Registry = v.Trim() }),
        new("Backend", "ContainerTestBackend", "CONTAINERTEST_BACKEND", "docker (sandboxes or containers on a Docker Engine) or qemu (a virtual machine per test)", (s, v) => v.Trim().ToLowerInvariant() switch
        {
            "docker" => s with { Backend = ContainerRuntime.Composition.RuntimeBackend.Docker },
            "qemu" => s with { Backend = ContainerRuntime.Composition.RuntimeBackend.Qemu },
            _ => null,
        }),
        new("Kernel", "ContainerTestKernel", "CONTAINERTEST_KERNEL", "an existing vmlinuz file, or a folder holding boot/vmlinuz-* and lib/modules/ (an unpacked linux-image package)", (s, v) => ExistingPath(v) is { } k ? s with { Kernel = k } : null),
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
        new("TmpSize", "ContainerTestTmpSize", "CONTAINERTEST_TMPSIZE", SettingValueParser.SizeForms, (s, v) => SettingValueParser.TryParseSize(v, out var b) ? s with { ConfiguredTmpSizeBytes = b } : null),
        new("SourceRoot", "ContainerTestSourceRoot", "CONTAINERTEST_SOURCE_ROOT", "an existing directory (absolute, or relative to the current directory)", (s, v) => ExistingDirectory(v) is { } d ? s with { SourceRoot = d } : null),
        new("ReadOnlyPaths", "ContainerTestReadOnlyPaths", "CONTAINERTEST_READONLY_PATHS", "existing directories separated by ';'", (s, v) => ExistingDirectories(v) is { } d ? s with { ReadOnlyPaths = d } : null),
        new("InheritLocale", "ContainerTestInheritLocale", "CONTAINERTEST_INHERIT_LOCALE", SettingValueParser.BooleanForms, (s, v) => SettingValueParser.TryParseBoolean(v, out var b) ? s with { InheritLocale = b } : null),
        new("ReadyToRunLayer", "ContainerTestReadyToRun", "CONTAINERTEST_READYTORUN_LAYER", "a folder of precompiled framework assemblies the build made", (s, v) => string.IsNullOrWhiteSpace(v) ? null : s with { ReadyToRunLayer = v.Trim() }),
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

        settings = BlameOptions.Apply(settings, runSettingsXml);
        return settings with { Warnings = [.. settings.Warnings, .. UnknownVariableWarnings(environment), .. SandboxSizeWarnings(settings)] };
    }

    /// <summary>Variables ContainerTest reads that are not settings (the cache folder, what it sets in containers).</summary>
    private static readonly string[] OtherVariables = ["CONTAINERTEST", "CONTAINERTEST_ENABLED", "CONTAINERTEST_CACHE", "CONTAINERTEST_JOB_ID", "CONTAINERTEST_RUN_ID", "CONTAINERTEST_AGENT_OUTPUT", "CONTAINERTEST_NODE"];

    /// <summary>A CONTAINERTEST_* variable that is no setting is a misspelling, which would be ignored without a word.</summary>
    private static IEnumerable<string> UnknownVariableWarnings(IDictionary environment)
    {
        var known = Settings.Select(s => s.EnvironmentName).Concat(OtherVariables).ToList();
        foreach (var name in environment.Keys.OfType<string>().Where(n => n.StartsWith("CONTAINERTEST", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                yield return $"ContainerTest: the environment variable {name} is not a ContainerTest setting and is ignored. Did you mean {SettingNames.Closest(name, known)}?";
            }
        }
    }

    /// <summary>
    /// /tmp and HOME are memory-backed: what is written there counts against the memory limit.
    /// Sizes that together with a minimal test process cannot fit turn a full /tmp into an
    /// out-of-memory kill.
    /// </summary>
    private static IEnumerable<string> SandboxSizeWarnings(ContainerTestSettings settings)
    {
        const long processFloor = 256L * 1024 * 1024;
        if (settings.ConfiguredTmpSizeBytes is { } tmp && (2 * tmp) + processFloor > settings.MemoryBytes)
        {
            yield return $"ContainerTest: /tmp and HOME are memory-backed ({tmp / (1024 * 1024)} MiB each, ContainerTestTmpSize) and count against the {settings.MemoryBytes / (1024 * 1024)} MiB memory limit (ContainerTestMemory): "
                + "a test that fills them is killed as out of memory instead of getting \"No space left on device\". "
                + $"Keep ContainerTestTmpSize at most {(settings.MemoryBytes - processFloor) / 2 / (1024 * 1024)} MiB, raise ContainerTestMemory, or leave ContainerTestTmpSize unset (then it fits).";
        }
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

    private static string? ExistingDirectory(string value) =>
        string.IsNullOrWhiteSpace(value) || !Directory.Exists(value.Trim()) ? null : Path.GetFullPath(value.Trim());

    private static string? ExistingPath(string value) =>
        string.IsNullOrWhiteSpace(value) || !(File.Exists(value.Trim()) || Directory.Exists(value.Trim())) ? null : Path.GetFullPath(value.Trim());

    /// <summary>Directories separated by ';' (the build writes them separated by '|').</summary>
    private static List<string>? ExistingDirectories(string value)
    {
        var parts = value.Split([';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var directories = parts.Select(ExistingDirectory).ToList();
        return directories.Count == 0 || directories.Any(d => d is null) ? null : directories.Select(d => d!).ToList();
    }

    private static InvalidSettingException Invalid(Setting setting, string source, string value) =>
        new($"ContainerTest: invalid value '{value}' for {setting.Name} (from {source}): expected {setting.Accepted}.");

    private sealed record Setting(string Name, string MsBuildName, string EnvironmentName, string Accepted, Func<ContainerTestSettings, string, ContainerTestSettings?> Apply);
}
