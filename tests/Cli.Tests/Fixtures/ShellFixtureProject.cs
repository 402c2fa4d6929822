namespace ContainerTest.Cli.Tests.Fixtures;

using System.Diagnostics;

/// <summary>tests/Fixtures/TestProjects/ShellFixture, built once (Release) for the tests that open, list and run its tests.</summary>
internal static class ShellFixtureProject
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? assembly;

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The built test assembly.</summary>
    public static async Task<string> BuildAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (assembly is not null)
            {
                return assembly;
            }

            // ./build.sh test has just built it with ContainerTest.sln.
            if (Environment.GetEnvironmentVariable("CONTAINERTEST_SUITE_SOLUTION_BUILT") != "1")
            {
                await BuildAgainAsync(cancellationToken);
            }

            assembly = Path.Combine(Folder, "bin", "Release", "net10.0", "ShellFixture.dll");
            return assembly;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static string Folder => Path.Combine(RepositoryRoot, "tests", "Fixtures", "TestProjects", "ShellFixture");

    /// <summary>
    /// `dotnet build -c Release` of the fixture; its output (normal verbosity). Without ContainerTest's
    /// own projects when build.sh just built the solution (CONTAINERTEST_SUITE_SOLUTION_BUILT=1): the
    /// other test projects, running beside, read their output.
    /// </summary>
    public static async Task<string> BuildAgainAsync(CancellationToken cancellationToken)
    {
        string[] dependencies = Environment.GetEnvironmentVariable("CONTAINERTEST_SUITE_SOLUTION_BUILT") == "1" ? ["--no-dependencies"] : [];
        var start = new ProcessStartInfo("dotnet", ["build", Folder, "-c", "Release", "-nologo", "-v", "n", .. dependencies]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var text = await output + await error;
        Assert.AreEqual(0, process.ExitCode, "building ShellFixture failed:\n" + text);
        return text;
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ContainerTest.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ContainerTest.sln not found above " + AppContext.BaseDirectory);
    }
}
