namespace ContainerTest.TestAdapter.Tests;

using System.Formats.Tar;
using ContainerTest.TestAdapter.Tests.Fixtures;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>Bad configuration gets one clear message naming the cause and the fix — and every test still gets a result.</summary>
[TestClass]
public sealed class BadInputTests
{
    private const string Project = "tests/Fixtures/TestProjects/CrashFixture/CrashFixture.csproj";
    private static readonly string[] OnlyThePassingTests = ["--filter", "Name~Passes"];

    [TestMethod]
    public async Task An_image_without_dotnet_names_the_runtime_the_tests_need_and_the_image()
    {
        var image = await EmptyImageAsync();
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        var run = await DotnetTest.TestAsync(path, OnlyThePassingTests, new Dictionary<string, string> { ["CONTAINERTEST_IMAGE"] = image });

        Assert.AreEqual(2, run.Report.Results.Count, run.Output);
        foreach (var result in run.Report.Results)
        {
            Assert.AreEqual("Failed", result.Outcome);
            StringAssert.Contains(result.ErrorMessage, $"The image '{image}' has no .NET runtime");
            StringAssert.Contains(result.ErrorMessage, "Microsoft.NETCore.App 10.0");
            StringAssert.Contains(result.ErrorMessage, "ContainerTestImage");
        }
    }

    [TestMethod]
    public async Task An_invalid_setting_fails_the_tests_with_the_setting_the_value_and_what_is_accepted()
    {
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        var run = await DotnetTest.TestAsync(path, OnlyThePassingTests, new Dictionary<string, string> { ["CONTAINERTEST_TIMEOUT"] = "forever" });

        Assert.AreEqual(2, run.Report.Results.Count, run.Output);
        Assert.IsTrue(run.Report.Results.All(r => r.Outcome == "Failed"));
        StringAssert.Contains(run.Report.Results[0].ErrorMessage, "invalid value 'forever' for Timeout (from environment variable CONTAINERTEST_TIMEOUT)");
        StringAssert.Contains(run.Report.Results[0].ErrorMessage, "90s");
    }

    [TestMethod]
    public async Task A_project_without_a_framework_adapter_is_told_which_frameworks_are_supported()
    {
        var path = DotnetTest.PathOf("tests/Fixtures/TestProjects/NoFrameworkFixture/NoFrameworkFixture.csproj");
        await DotnetTest.BuildAsync(path, CancellationToken.None);

        var (_, output) = await DotnetTest.RunAsync(["test", path, "-c", "Release", "--no-build"], null, TimeSpan.FromMinutes(3), CancellationToken.None);

        StringAssert.Contains(output, "ContainerTest: no test framework adapter found for NoFrameworkFixture.dll");
        StringAssert.Contains(output, "MSTest");
        StringAssert.Contains(output, "xUnit");
        StringAssert.Contains(output, "NUnit");
    }

    /// <summary>An image with one file and no .NET at all, built locally.</summary>
    private static async Task<string> EmptyImageAsync()
    {
        const string Tag = "containertest-test/no-dotnet:1";
        using var client = new DockerClientBuilder().Build();
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "README") { DataStream = new MemoryStream("no .NET here\n"u8.ToArray()) });
        }

        tar.Position = 0;
        await client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromSrc = "-", Repo = "containertest-test/no-dotnet", Tag = "1", Changes = ["LABEL io.containertest.managed=true"] },
            tar,
            new AuthConfig(),
            new Progress<JSONMessage>());
        return Tag;
    }
}
