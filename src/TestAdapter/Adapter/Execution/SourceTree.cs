namespace ContainerTest.TestAdapter.Execution;

using ContainerTest.TestAdapter.Settings;

/// <summary>
/// The source tree a test may read files from (spec files three folders up, a TestFiles folder
/// beside the project, docs at the repository's root): the repository that holds the test output
/// (the nearest folder above it with a .git); where there is none, the nearest folder with a
/// solution; failing that, the project folder. Containers see it read-only, at the same absolute
/// path as the host, beside any extra read-only paths the settings name.
/// </summary>
internal static class SourceTree
{
    /// <summary>The detected source tree above <paramref name="outputDirectory"/>, or null.</summary>
    public static string? Find(string outputDirectory)
    {
        string? solution = null;
        string? project = null;
        for (var dir = new DirectoryInfo(outputDirectory).Parent; dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git")))
            {
                return dir.FullName;
            }

            if (solution is null && (dir.EnumerateFiles("*.sln").Any() || dir.EnumerateFiles("*.slnx").Any()))
            {
                solution = dir.FullName;
            }

            if (project is null && dir.EnumerateFiles("*.*proj").Any())
            {
                project = dir.FullName;
            }
        }

        return solution ?? project;
    }

    /// <summary>
    /// The host folders a test from <paramref name="outputDirectory"/> sees read-only at their own
    /// paths: <see cref="ContainerTestSettings.SourceRoot"/> (or the detected tree) and
    /// <see cref="ContainerTestSettings.ReadOnlyPaths"/>; a folder inside another is left out.
    /// </summary>
    public static IReadOnlyList<string> ReadOnlyFolders(string outputDirectory, ContainerTestSettings settings)
    {
        var candidates = new List<string>();
        if ((settings.SourceRoot ?? Find(outputDirectory)) is { } tree)
        {
            candidates.Add(Path.TrimEndingDirectorySeparator(Path.GetFullPath(tree)));
        }

        candidates.AddRange(settings.ReadOnlyPaths.Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p))));
        return candidates
            .Distinct(StringComparer.Ordinal)
            .Where(folder => !candidates.Any(other => other != folder && folder.StartsWith(other + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            .ToList();
    }

    /// <summary>What a test's container sees of the host, for a message: the read-only folders and the output folder.</summary>
    public static string Describe(string outputDirectory, ContainerTestSettings settings)
    {
        var folders = ReadOnlyFolders(outputDirectory, settings);
        return (folders.Count == 0 ? "no source tree" : "read-only: " + string.Join(", ", folders))
            + $"; its own copy of the output folder {outputDirectory}";
    }
}
