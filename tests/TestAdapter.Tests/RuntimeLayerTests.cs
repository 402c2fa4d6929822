namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// An image without .NET (a plain glibc image, here also without ICU) still runs the tests: the
/// runtime pack the test assembly needs is fetched with NuGet from the configured feeds into the
/// global packages folder, laid out once as a dotnet root, and mounted into every test container.
/// </summary>
[TestClass]
public sealed class RuntimeLayerTests
{
    private const string Project = "tests/Fixtures/TestProjects/CrashFixture/CrashFixture.csproj";
    private static readonly string[] PassingTestsWithMessages = ["--filter", "Name~Passes", "--logger", "console;verbosity=normal"];

    [TestMethod]
    public async Task A_glibc_image_without_dotnet_runs_the_tests_with_the_runtime_pack_as_a_layer()
    {
        var image = await GlibcImage.EnsureAsync();
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);
        var packages = Directory.CreateTempSubdirectory("containertest-nuget-");
        var cache = Directory.CreateTempSubdirectory("containertest-cache-");
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["CONTAINERTEST_IMAGE"] = image,
                ["NUGET_PACKAGES"] = packages.FullName,
                ["CONTAINERTEST_CACHE"] = cache.FullName,
            };

            // First run: an empty global packages folder, so the pack comes from the feed.
            var first = await DotnetTest.TestAsync(path, PassingTestsWithMessages, environment);
            Assert.AreEqual(2, first.Report.Results.Count, first.Output);
            Assert.IsTrue(first.Report.Results.All(r => r.Outcome == "Passed"), first.Output);
            Assert.AreEqual(2, first.Report.Results.Select(r => r.ContainerId).Distinct().Count(), "each test in its own container");
            StringAssert.Matches(first.Output, new System.Text.RegularExpressions.Regex($@"the image '{System.Text.RegularExpressions.Regex.Escape(image)}' has no Microsoft\.NETCore\.App 10\.0\.0; adding Microsoft\.NETCore\.App\.Runtime\.linux-x64 10\.0\.\d+ as a layer at /\.containertest/dotnet \(downloaded from "));
            StringAssert.Contains(first.Output, "has no ICU library (libicu)");
            var extracted = Directory.GetDirectories(Path.Combine(packages.FullName, "microsoft.netcore.app.runtime.linux-x64"));
            Assert.AreEqual(1, extracted.Length, "the pack is extracted into the global packages folder");
            Assert.IsTrue(File.Exists(Path.Combine(extracted[0], ".nupkg.metadata")), "extracted as a restore would, for reuse");

            // Second run: the same folder serves it, nothing is downloaded.
            var second = await DotnetTest.TestAsync(path, PassingTestsWithMessages, environment);
            Assert.IsTrue(second.Report.Results.Count == 2 && second.Report.Results.All(r => r.Outcome == "Passed"), second.Output);
            StringAssert.Contains(second.Output, $"as a layer at /.containertest/dotnet (from {packages.FullName})");
            Assert.IsFalse(second.Output.Contains("downloaded from", StringComparison.Ordinal), second.Output);
            Assert.AreEqual(0, await LeftoverContainers.CountForAsync(path));
        }
        finally
        {
            packages.Delete(recursive: true);
            cache.Delete(recursive: true);
        }
    }
}
