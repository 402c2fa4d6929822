namespace ContainerTest.TestAdapter.Execution;

/// <summary>
/// The source tree a test may read files from (spec files three folders up, a TestFiles folder
/// beside the project): the nearest folder above the test output that holds a repository
/// (.git) or a solution; failing that, the project folder. Containers see it read-only, at the
/// same absolute path as the host.
/// </summary>
internal static class SourceTree
{
    public static string? Find(string outputDirectory)
    {
        string? project = null;
        for (var dir = new DirectoryInfo(outputDirectory).Parent; dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git")))
            {
                return dir.FullName;
            }

            if (dir.EnumerateFiles("*.sln").Any() || dir.EnumerateFiles("*.slnx").Any())
            {
                return dir.FullName;
            }

            if (project is null && dir.EnumerateFiles("*.*proj").Any())
            {
                project = dir.FullName;
            }
        }

        return project;
    }
}
