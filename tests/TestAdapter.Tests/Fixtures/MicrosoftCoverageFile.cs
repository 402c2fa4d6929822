namespace ContainerTest.TestAdapter.Tests.Fixtures;

using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json.Nodes;

/// <summary>
/// A binary <c>.coverage</c> report of Microsoft's code coverage collector, read with the
/// collector's own reader: Microsoft.CodeCoverage.Core's public <c>CoverageFileUtilityV2</c>, loaded
/// from the Microsoft.CodeCoverage package a fixture restored (its build folder; the package ships
/// no reference assembly, hence reflection).
/// </summary>
internal static class MicrosoftCoverageFile
{
    /// <summary>
    /// Each covered module's name with its probe buffer (one byte per probe, 1 where it ran) as
    /// hex: the data the collector's reports are made from.
    /// </summary>
    public static async Task<SortedDictionary<string, string>> ModuleProbesAsync(string coverageFile, string fixtureProject)
    {
        var folder = PackageBuildFolder(fixtureProject);
        var context = new AssemblyLoadContext("Microsoft.CodeCoverage.Core " + Guid.NewGuid(), isCollectible: true);
        context.Resolving += (c, name) => File.Exists(Path.Combine(folder, name.Name + ".dll")) ? c.LoadFromAssemblyPath(Path.Combine(folder, name.Name + ".dll")) : null;
        try
        {
            var core = context.LoadFromAssemblyPath(Path.Combine(folder, "Microsoft.CodeCoverage.Core.dll"));
            var configuration = Activator.CreateInstance(core.GetType("Microsoft.CodeCoverage.Core.CoverageFileConfiguration", throwOnError: true)!)!;
            configuration.GetType().GetProperty("ReadModules")!.SetValue(configuration, true);
            var utility = Activator.CreateInstance(core.GetType("Microsoft.CodeCoverage.Core.CoverageFileUtilityV2", throwOnError: true)!, configuration)!;
            var read = (Task)utility.GetType().GetMethod("ReadCoverageFileAsync", [typeof(string), typeof(CancellationToken)])!.Invoke(utility, [coverageFile, CancellationToken.None])!;
            await read;
            var report = read.GetType().GetProperty("Result")!.GetValue(read)!;
            var modules = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var module in (Array)report.GetType().GetProperty("Modules")!.GetValue(report)!)
            {
                var name = (string)module.GetType().GetProperty("Name")!.GetValue(module)!;
                modules[name] = Convert.ToHexString((byte[])module.GetType().GetProperty("CoverageBuffer")!.GetValue(module)!);
            }

            return modules;
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>The one <c>.coverage</c> file a `dotnet test` run printed under "Attachments:".</summary>
    public static string PathIn(string dotnetTestOutput)
    {
        var paths = dotnetTestOutput.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('/') && l.EndsWith(".coverage", StringComparison.Ordinal)).Distinct().ToList();
        Assert.AreEqual(1, paths.Count, "one .coverage report attached: " + dotnetTestOutput);
        return paths[0];
    }

    /// <summary>build/netstandard2.0 of the Microsoft.CodeCoverage package in the fixture's restore (obj/project.assets.json).</summary>
    private static string PackageBuildFolder(string fixtureProject)
    {
        var assets = JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(fixtureProject)!, "obj", "project.assets.json")))!;
        var library = assets["libraries"]!.AsObject().Select(l => l.Key).Single(k => k.StartsWith("Microsoft.CodeCoverage/", StringComparison.OrdinalIgnoreCase));
        var packageFolder = assets["packageFolders"]!.AsObject().Select(f => f.Key).First(f => Directory.Exists(Path.Combine(f, library.ToLowerInvariant())));
        return Path.Combine(packageFolder, library.ToLowerInvariant(), "build", "netstandard2.0");
    }
}
