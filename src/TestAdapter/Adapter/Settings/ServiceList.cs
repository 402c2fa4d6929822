namespace ContainerTest.TestAdapter.Settings;

using System.Text.Json;
using ContainerTest.ContainerRuntime.Services;

/// <summary>
/// Reads the shared services the build wrote from the project's <c>ContainerTestService</c> items
/// (<c>.containertest/services.json</c> in the test output; see the MSBuild task WriteServiceList).
/// </summary>
internal static class ServiceList
{
    /// <summary>The file the build writes, relative to the test output folder.</summary>
    public const string File = ".containertest/services.json";

    /// <summary>The services in <paramref name="outputDirectory"/>'s list; none when it has no list.</summary>
    /// <exception cref="InvalidSettingException">The list cannot be read, or a service in it is invalid.</exception>
    public static IReadOnlyList<ServiceSpec> Load(string? outputDirectory)
    {
        var path = outputDirectory is null ? null : Path.Combine(outputDirectory, File);
        if (path is null || !System.IO.File.Exists(path))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllText(path));
            return document.RootElement.EnumerateArray().Select(Read).ToList();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or IOException)
        {
            throw new InvalidSettingException($"ContainerTest: the list of shared services {path} cannot be read ({ex.Message}). Build the test project again.");
        }
    }

    private static ServiceSpec Read(JsonElement element)
    {
        var name = element.GetProperty("name").GetString()!;
        if (!ServiceSpec.IsValidName(name, out var nameError))
        {
            throw new InvalidSettingException($"ContainerTest: the ContainerTestService '{name}': {nameError}");
        }

        ServiceReadiness? readiness = null;
        if (element.TryGetProperty("ready", out var ready) && ready.GetString() is { Length: > 0 } readyText
            && !ServiceReadiness.TryParse(readyText, out readiness, out var readyError))
        {
            throw new InvalidSettingException($"ContainerTest: invalid Ready of the ContainerTestService '{name}': {readyError}");
        }

        var timeout = TimeSpan.FromSeconds(60);
        if (element.TryGetProperty("readyTimeout", out var readyTimeout) && readyTimeout.GetString() is { Length: > 0 } timeoutText
            && !SettingValueParser.TryParseDuration(timeoutText, out timeout))
        {
            throw new InvalidSettingException($"ContainerTest: invalid ReadyTimeout '{timeoutText}' of the ContainerTestService '{name}': expected {SettingValueParser.DurationForms}.");
        }

        return new ServiceSpec
        {
            Name = name,
            Image = element.GetProperty("image").GetString()!,
            Ports = element.GetProperty("ports").EnumerateArray().Select(p => p.GetInt32()).ToList(),
            Environment = element.GetProperty("environment").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal),
            Command = element.GetProperty("command").EnumerateArray().Select(a => a.GetString()!).ToList(),
            Readiness = readiness,
            ReadyTimeout = timeout,
        };
    }
}
