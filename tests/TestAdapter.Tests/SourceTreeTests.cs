namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// Files outside the output folder, through the real `dotnet test` on a fixture whose solution is
/// in a subfolder (src/) and whose test cases come from files beside it (docs/): the container
/// sees the whole repository, as a native run does; ContainerTestReadOnlyPaths adds folders
/// outside it; a narrower ContainerTestSourceRoot leaves the cases out, and their results say
/// what the container saw.
/// </summary>
[TestClass]
public sealed class SourceTreeTests
{
    private const string Project = "tests/Fixtures/TestProjects/SourceTreeFixture/src/SourceTreeFixture/SourceTreeFixture.csproj";
    private static readonly string[] Pages = ["PageHasATitle(\"getting-started.md\")", "PageHasATitle(\"reference.md\")"];
    private static string extraFolder = null!;
    private static string runSettings = null!;

    [ClassInitialize]
    public static async Task PrepareAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await DotnetTest.BuildAsync(DotnetTest.PathOf(Project), context.CancellationToken);

        // A folder outside the repository (not under /tmp, which is the container's own tmpfs).
        extraFolder = Path.Combine("/var/tmp", "containertest-extra-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(extraFolder);
        await File.WriteAllTextAsync(Path.Combine(extraFolder, "data.txt"), "from outside the repository", context.CancellationToken);
        runSettings = Path.Combine(extraFolder, "fixture.runsettings");
        await File.WriteAllTextAsync(
            runSettings,
            $"<RunSettings><RunConfiguration><EnvironmentVariables><FIXTURE_EXTRA_FILE>{extraFolder}/data.txt</FIXTURE_EXTRA_FILE></EnvironmentVariables></RunConfiguration></RunSettings>",
            context.CancellationToken);
    }

    [ClassCleanup]
    public static void RemoveExtraFolder() => Directory.Delete(extraFolder, recursive: true);

    [TestMethod]
    public async Task Test_cases_built_from_files_beside_the_solution_folder_run_as_natively()
    {
        var run = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), ["--filter", "FullyQualifiedName~PageHasATitle"]);
        var native = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), ["--filter", "FullyQualifiedName~PageHasATitle"], new Dictionary<string, string> { ["CONTAINERTEST"] = "0" });

        foreach (var page in Pages)
        {
            Assert.AreEqual("Passed", native.Report.Single(page).Outcome, native.Output);
            Assert.AreEqual("Passed", run.Report.Single(page).Outcome, run.Report.Single(page).ErrorMessage);
        }
    }

    [TestMethod]
    public async Task A_folder_outside_the_repository_is_seen_only_when_named_in_ReadOnlyPaths()
    {
        string[] arguments = ["--settings", runSettings, "--filter", "Name=ReadsAFileOutsideTheRepository"];
        var without = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), arguments);
        var with = await DotnetTest.TestAsync(DotnetTest.PathOf(Project), arguments, new Dictionary<string, string> { ["CONTAINERTEST_READONLY_PATHS"] = extraFolder });

        Assert.AreEqual("Failed", without.Report.Single("ReadsAFileOutsideTheRepository").Outcome, without.Output);
        StringAssert.Contains(without.Report.Single("ReadsAFileOutsideTheRepository").ErrorMessage, "Could not find a part of the path");
        Assert.AreEqual("Passed", with.Report.Single("ReadsAFileOutsideTheRepository").Outcome, with.Report.Single("ReadsAFileOutsideTheRepository").ErrorMessage);
    }

    /// <summary>
    /// A sandbox has a fresh tmpfs at /tmp, as a container has; a folder named in ReadOnlyPaths
    /// under /tmp (or a source tree there) is still seen, read-only, on top of it, in sandboxes as
    /// in containers.
    /// </summary>
    [TestMethod]
    [DataRow("sandbox")]
    [DataRow("container")]
    public async Task A_read_only_folder_under_tmp_is_seen_over_the_jobs_own_tmp(string isolation)
    {
        var underTmp = Directory.CreateTempSubdirectory("containertest-extra-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(underTmp, (UnixFileMode)0b111_101_101); // 0755: the test's user is not this root
        }

        try
        {
            await File.WriteAllTextAsync(Path.Combine(underTmp, "data.txt"), "from outside the repository");
            var settings = Path.Combine(underTmp, "fixture.runsettings");
            await File.WriteAllTextAsync(settings, $"<RunSettings><RunConfiguration><EnvironmentVariables><FIXTURE_EXTRA_FILE>{underTmp}/data.txt</FIXTURE_EXTRA_FILE></EnvironmentVariables></RunConfiguration></RunSettings>");

            var run = await DotnetTest.TestAsync(
                DotnetTest.PathOf(Project),
                ["--settings", settings, "--filter", "Name=ReadsAFileOutsideTheRepository"],
                new Dictionary<string, string> { ["CONTAINERTEST_READONLY_PATHS"] = underTmp, ["CONTAINERTEST_ISOLATION"] = isolation });

            var result = run.Report.Single("ReadsAFileOutsideTheRepository");
            Assert.AreEqual("Passed", result.Outcome, result.ErrorMessage + run.Output);
            Assert.AreEqual(12, result.ContainerId?.Length, "it ran in a sandbox or container: " + run.Output);
        }
        finally
        {
            Directory.Delete(underTmp, recursive: true);
        }
    }

    [TestMethod]
    public async Task The_MSBuild_properties_reach_the_run_through_the_build()
    {
        var project = DotnetTest.PathOf(Project);
        var source = Path.GetDirectoryName(Path.GetDirectoryName(project))!;
        try
        {
            var (exit, output) = await DotnetTest.RunAsync(
                ["build", project, "-c", "Release", "-nologo", $"-p:ContainerTestReadOnlyPaths={extraFolder}", $"-p:ContainerTestSourceRoot={source}"],
                null,
                TimeSpan.FromMinutes(5),
                CancellationToken.None);
            Assert.AreEqual(0, exit, output);

            var run = await DotnetTest.TestAsync(project, ["--settings", runSettings]);

            Assert.AreEqual("Passed", run.Report.Single("ReadsAFileOutsideTheRepository").Outcome, run.Output);
            foreach (var page in Pages)
            {
                // The source root (src/) leaves docs/ out: the cases do not exist in the container.
                var result = run.Report.Single(page);
                Assert.AreEqual("Failed", result.Outcome);
                StringAssert.Contains(result.ErrorMessage, "reported no result for this test: it did not find the test there");
                StringAssert.Contains(result.ErrorMessage, $"(the container sees read-only: {source}, {extraFolder}; its own copy of the output folder ");
                StringAssert.Contains(result.ErrorMessage, "widen what it sees with ContainerTestSourceRoot or ContainerTestReadOnlyPaths");
            }
        }
        finally
        {
            await DotnetTest.RunAsync(["build", project, "-c", "Release", "-nologo"], null, TimeSpan.FromMinutes(5), CancellationToken.None);
        }
    }
}
