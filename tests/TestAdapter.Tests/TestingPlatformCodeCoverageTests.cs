namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Coverage;

/// <summary>
/// A test application run with Microsoft's coverage extension (--coverage) is told that the
/// extension's report would miss the jobs; without the option, or without the extension, nothing
/// is said.
/// </summary>
[TestClass]
public sealed class TestingPlatformCodeCoverageTests
{
    [TestMethod]
    public void Asking_the_extension_for_coverage_draws_one_warning_that_names_what_works()
    {
        var folder = Directory.CreateTempSubdirectory("containertest-mtp-coverage-").FullName;
        try
        {
            Assert.IsNull(TestingPlatformCodeCoverage.Warning(folder, ["--coverage"]), "no extension in the folder: the platform itself refuses the option");
            File.WriteAllBytes(Path.Combine(folder, TestingPlatformCodeCoverage.AssemblyFileName), []);

            var warning = TestingPlatformCodeCoverage.Warning(folder, ["--report-trx", "--coverage", "--coverage-output-format", "cobertura"]);

            Assert.IsNotNull(warning);
            StringAssert.Contains(warning, "--coverlet", "names the extension that works");
            StringAssert.Contains(warning, "CONTAINERTEST=0", "and the native run");
            Assert.IsNotNull(TestingPlatformCodeCoverage.Warning(folder, ["--coverage=true"]));
            Assert.IsNull(TestingPlatformCodeCoverage.Warning(folder, ["--coverlet", "--coverage-output", "x"]), "other options say nothing of it");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
