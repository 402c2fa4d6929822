namespace ContainerTest.Cli.Projects;

using System.Diagnostics;

/// <summary>
/// The test project a command works on: found (<c>--project</c>, a project file, a folder holding
/// one, or an already built test assembly), built like <c>dotnet test</c> builds it (unless
/// <c>--no-build</c>), and its test assembly located.
/// </summary>
internal static class TestProject
{
    /// <summary>The built test assembly (absolute path).</summary>
    /// <exception cref="CliException">No project, several, a failed build, or no output.</exception>
    public static async Task<string> BuildAsync(string? project, string configuration, bool noBuild, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(project ?? Directory.GetCurrentDirectory());
        if (path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            return File.Exists(path) ? path : throw new CliException($"The test assembly {path} does not exist. Build it first, or pass the project with --project.");
        }

        var projectFile = FindProjectFile(path);
        if (!noBuild)
        {
            var (exit, output) = await DotnetAsync(["build", projectFile, "-c", configuration, "-nologo", "-v", "q"], cancellationToken).ConfigureAwait(false);
            if (exit != 0)
            {
                throw new CliException($"Building {projectFile} failed:\n{output.Trim()}\nFix the build, then run again.");
            }
        }

        var (code, targetPath) = await DotnetAsync(["msbuild", projectFile, "-getProperty:TargetPath", $"-p:Configuration={configuration}", "-nologo"], cancellationToken).ConfigureAwait(false);
        targetPath = targetPath.Trim();
        if (code != 0 || targetPath.Length == 0)
        {
            throw new CliException($"Could not find the output of {projectFile} (a project with several TargetFrameworks needs one chosen: pass the built test assembly as --project bin/…/X.dll).");
        }

        return File.Exists(targetPath)
            ? targetPath
            : throw new CliException($"{targetPath} does not exist: build {projectFile} (-c {configuration}) first, or drop --no-build.");
    }

    private static string FindProjectFile(string path)
    {
        if (File.Exists(path))
        {
            return path;
        }

        if (!Directory.Exists(path))
        {
            throw new CliException($"No project at {path}: pass --project with a test project file or the folder holding it.");
        }

        var candidates = Directory.EnumerateFiles(path, "*.*proj").Where(f => f.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".fsproj", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".vbproj", StringComparison.OrdinalIgnoreCase)).ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new CliException($"No project file in {path}: run in a test project's folder, or pass --project."),
            _ => throw new CliException($"Several project files in {path} ({string.Join(", ", candidates.Select(Path.GetFileName))}): pass one with --project."),
        };
    }

    private static async Task<(int ExitCode, string Output)> DotnetAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new CliException("Could not start `dotnet`: is the .NET SDK on PATH?");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }
}
