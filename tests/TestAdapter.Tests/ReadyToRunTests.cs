namespace ContainerTest.TestAdapter.Tests;

using System.Text.Json;
using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// The build precompiles the test framework (ReadyToRun) into the runtime cache, and each test's
/// sandbox or container sees the precompiled copies over its output folder; a native run, and a
/// build with ContainerTestReadyToRun=false, never do.
/// </summary>
[TestClass]
public sealed class ReadyToRunTests
{
    private const string Project = "tests/Fixtures/TestProjects/ReadyToRunFixture/ReadyToRunFixture.csproj";

    [TestMethod]
    public async Task The_framework_runs_precompiled_in_sandboxes_and_containers_and_as_built_natively()
    {
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);
        var layer = LayerOf(path);
        Assert.IsNotNull(layer, "the build wrote no ReadyToRunLayer into .containertest/settings.json");
        Assert.IsTrue(File.Exists(Path.Combine(layer, "MSTest.TestFramework.dll")), $"{layer} lacks MSTest.TestFramework.dll");
        Assert.IsTrue(File.Exists(Path.Combine(layer, ".containertest", "adapters", "MSTest.TestAdapter.dll")), $"{layer} lacks the framework adapter");
        Assert.IsFalse(Directory.Exists(Path.Combine(Path.GetDirectoryName(OutputOf(path))!, ".containertest", "r2r")), "nothing is added to the output folder itself");

        Assert.AreEqual("True", await PrecompiledAsync(path, "sandbox"));
        Assert.AreEqual("True", await PrecompiledAsync(path, "container"));
        Assert.AreEqual("False", await PrecompiledAsync(path, isolation: null), "a native run uses the output folder as built");
    }

    [TestMethod]
    public async Task Switched_off_nothing_is_precompiled()
    {
        var path = DotnetTest.PathOf(Project);
        var (exit, output) = await DotnetTest.RunAsync(["build", path, "-c", "Release", "-nologo", "-clp:ErrorsOnly", "-p:ContainerTestReadyToRun=false"], null, TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.AreEqual(0, exit, output);
        try
        {
            Assert.IsNull(LayerOf(path));
            Assert.AreEqual("False", await PrecompiledAsync(path, "sandbox"));
        }
        finally
        {
            await DotnetTest.BuildAgainAsync(path, CancellationToken.None); // as the other tests expect it
        }
    }

    /// <summary>What the fixture's test says in a run (isolation null: natively).</summary>
    private static async Task<string> PrecompiledAsync(string path, string? isolation)
    {
        var environment = isolation is null
            ? new Dictionary<string, string> { ["CONTAINERTEST"] = "0" }
            : new Dictionary<string, string> { ["CONTAINERTEST_ISOLATION"] = isolation };
        var run = await DotnetTest.TestAsync(path, environment: environment);
        var result = run.Report.Single("SaysWhetherItsFrameworkIsPrecompiled");
        Assert.AreEqual("Passed", result.Outcome, result.ErrorMessage + run.Output);
        var line = result.StdOut.Split('\n').Single(l => l.StartsWith("precompiled: ", StringComparison.Ordinal));
        return line["precompiled: ".Length..].Split(' ')[0];
    }

    private static string OutputOf(string project) =>
        Path.Combine(Path.GetDirectoryName(project)!, "bin", "Release", "net10.0", Path.GetFileNameWithoutExtension(project) + ".dll");

    private static string? LayerOf(string project)
    {
        var settings = Path.Combine(Path.GetDirectoryName(OutputOf(project))!, ".containertest", "settings.json");
        using var json = JsonDocument.Parse(File.ReadAllText(settings));
        return json.RootElement.TryGetProperty("ReadyToRunLayer", out var layer) ? layer.GetString() : null;
    }
}
