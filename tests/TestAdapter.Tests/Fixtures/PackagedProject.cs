namespace ContainerTest.TestAdapter.Tests.Fixtures;

using System.Globalization;

/// <summary>
/// A test project of tests/Fixtures/PackagedProjects, copied to a fresh folder and built against
/// the packed ContainerTest package — what a user gets — rather than ContainerTest from source.
/// ContainerTest is packed once per test process (a version of its own, so that NuGet's cache
/// never hands back an older build). The folders made here are removed when the process ends.
/// </summary>
internal static class PackagedProject
{
    private static readonly SemaphoreSlim PackGate = new(1, 1);
    private static readonly List<string> Made = NewFolderList();
    private static (string Folder, string Version)? packed;

    /// <summary>The folder holding the packed package and its version.</summary>
    public static async Task<(string Folder, string Version)> PackAsync(CancellationToken cancellationToken)
    {
        await PackGate.WaitAsync(cancellationToken);
        try
        {
            if (packed is { } done)
            {
                return done;
            }

            var folder = MakeFolder("containertest-packed-");
            var version = "0.1.0-it" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
            var (exit, output) = await DotnetTest.RunAsync(
                ["pack", DotnetTest.PathOf("nuget/ContainerTest/ContainerTest.csproj"), "-c", "Release", "-o", folder, "-p:Version=" + version, "-nologo"],
                null,
                TimeSpan.FromMinutes(5),
                cancellationToken);
            if (exit != 0)
            {
                throw new InvalidOperationException($"packing ContainerTest failed:\n{output}");
            }

            packed = (folder, version);
            return (folder, version);
        }
        finally
        {
            PackGate.Release();
        }
    }

    private static string MakeFolder(string prefix)
    {
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        lock (Made)
        {
            Made.Add(folder);
        }

        return folder;
    }

    private static List<string> NewFolderList()
    {
        var made = new List<string>();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (made)
            {
                foreach (var folder in made.Where(Directory.Exists))
                {
                    try
                    {
                        Directory.Delete(folder, recursive: true);
                    }
                    catch (IOException)
                    {
                        // A file still open: left for the temp folder's own cleanup.
                    }
                }
            }
        };
        return made;
    }

    /// <summary>Copies fixture <paramref name="name"/> to a fresh folder, builds it (Release) against the packed ContainerTest, and returns its project file.</summary>
    public static async Task<string> BuildAsync(string name, CancellationToken cancellationToken)
    {
        var (packages, version) = await PackAsync(cancellationToken);
        var source = DotnetTest.PathOf(Path.Combine("tests", "Fixtures", "PackagedProjects", name));
        var folder = Path.Combine(MakeFolder("containertest-packaged-"), name);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="containertest" value="{packages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """, cancellationToken);
        var project = Path.Combine(folder, name + ".csproj");
        var (exit, output) = await DotnetTest.RunAsync(
            ["build", project, "-c", "Release", "-nologo", "-clp:ErrorsOnly", "-p:ContainerTestVersion=" + version],
            null,
            TimeSpan.FromMinutes(5),
            cancellationToken,
            workingDirectory: folder);
        if (exit != 0)
        {
            throw new InvalidOperationException($"building {name} against the packed ContainerTest failed:\n{output}");
        }

        return project;
    }
}
