namespace ContainerTest.TestAdapter.Execution;

using System.Text.Json;

/// <summary>The shared frameworks a test assembly needs, read from its runtimeconfig.json.</summary>
internal static class RuntimeRequirement
{
    /// <summary>The frameworks the runtimeconfig lists (name and minimum version); empty when it cannot be read.</summary>
    public static IReadOnlyList<(string Name, string Version)> Frameworks(string testAssembly)
    {
        var config = Path.ChangeExtension(testAssembly, ".runtimeconfig.json");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(config));
            var options = document.RootElement.GetProperty("runtimeOptions");
            var frameworks = options.TryGetProperty("frameworks", out var list)
                ? list.EnumerateArray().ToList()
                : options.TryGetProperty("framework", out var single) ? [single] : [];
            return frameworks.Select(f => (f.GetProperty("name").GetString() ?? string.Empty, f.GetProperty("version").GetString() ?? string.Empty)).ToList();
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>"Microsoft.NETCore.App 10.0.0" (every framework listed), or a generic phrase when the file cannot be read.</summary>
    public static string Describe(string testAssembly)
    {
        var names = Frameworks(testAssembly).Select(f => $"{f.Name} {f.Version}").ToList();
        return names.Count > 0 ? string.Join(" and ", names) : "the .NET runtime it was built for";
    }

    /// <summary>True when the job's failure says the image has no usable .NET runtime.</summary>
    public static bool IsMissingIn(string? startFailure, string stderr) =>
        (startFailure is not null && startFailure.Contains("dotnet", StringComparison.Ordinal)
            && (startFailure.Contains("not found", StringComparison.OrdinalIgnoreCase) || startFailure.Contains("no such file", StringComparison.OrdinalIgnoreCase)))
        || stderr.Contains("You must install or update .NET", StringComparison.Ordinal)
        || stderr.Contains("The framework 'Microsoft.NETCore.App'", StringComparison.Ordinal);
}
