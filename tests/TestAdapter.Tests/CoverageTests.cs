namespace ContainerTest.TestAdapter.Tests;

using System.Text.RegularExpressions;
using System.Xml.Linq;
using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// Coverage collectors through the real `dotnet test --collect`: the report the collector writes
/// on the host covers the code each test ran in its own container, merged over all tests, line for
/// line and hit for hit as the same suite run natively (CONTAINERTEST=0); ContainerTest's own
/// assemblies never appear in it. Each fixture (MSTest, xUnit, NUnit) tests CoverageLibrary, whose
/// lines each test covers a part of, and one method none.
/// </summary>
[TestClass]
public sealed partial class CoverageTests
{
    [TestMethod]
    [DataRow("CoverageMSTestFixture")]
    [DataRow("CoverageXunitFixture")]
    [DataRow("CoverageNUnitFixture")]
    public async Task Coverlet_reports_the_lines_the_containers_ran_as_a_native_run_does(string fixture)
    {
        var project = DotnetTest.PathOf($"tests/Fixtures/TestProjects/Coverage/{fixture}/{fixture}.csproj");
        await DotnetTest.BuildAsync(project, CancellationToken.None);

        var native = await DotnetTest.TestAsync(project, ["--collect", "XPlat Code Coverage"], new Dictionary<string, string> { ["CONTAINERTEST"] = "0" });
        var contained = await DotnetTest.TestAsync(project, ["--collect", "XPlat Code Coverage"]);

        Assert.IsTrue(contained.Report.Results.All(r => r.ContainerId is { Length: 12 }), "every test ran in a container: " + contained.Output);
        Assert.IsTrue(native.Report.Results.All(r => r.ContainerId is null), "the native run ran natively");
        var nativeReport = Cobertura.Load(native.Output);
        var containedReport = Cobertura.Load(contained.Output);

        var nativeLines = nativeReport.Lines("CoverageLibrary");
        Assert.IsTrue(nativeLines.Count(l => l.Hits > 0) >= 8, "the fixture covers part of the library natively: " + string.Join(", ", nativeLines));
        Assert.IsTrue(nativeLines.Any(l => l.Hits == 0), "and leaves part of it uncovered");
        CollectionAssert.AreEqual(nativeLines, containedReport.Lines("CoverageLibrary"), "the same lines, hit as often, as natively");

        foreach (var (run, report) in new[] { ("native", nativeReport), ("containers", containedReport) })
        {
            Assert.AreEqual("CoverageLibrary", string.Join(", ", report.Packages), $"{run}: only the code under test is in the report");
        }
    }

    /// <summary>
    /// Microsoft.CodeCoverage cannot measure the containers yet: the run says so, once, and names
    /// coverlet and the native run instead of handing over a report silently empty of the tests' code.
    /// </summary>
    [TestMethod]
    public async Task Microsoft_code_coverage_in_containers_is_announced_as_not_measuring_them()
    {
        var project = DotnetTest.PathOf("tests/Fixtures/TestProjects/Coverage/CoverageMSTestFixture/CoverageMSTestFixture.csproj");
        await DotnetTest.BuildAsync(project, CancellationToken.None);
        const string Warning = "ContainerTest: Microsoft's Code Coverage collector (--collect \"Code Coverage\") measures this test host only";

        var contained = await DotnetTest.TestAsync(project, ["--collect", "Code Coverage;Format=cobertura"]);
        var native = await DotnetTest.TestAsync(project, ["--collect", "Code Coverage;Format=cobertura"], new Dictionary<string, string> { ["CONTAINERTEST"] = "0" });
        var coverletOnly = await DotnetTest.TestAsync(project, ["--collect", "XPlat Code Coverage"]);

        Assert.AreEqual(1, Regex.Count(contained.Output, Regex.Escape(Warning)), contained.Output);
        StringAssert.Contains(contained.Output, "XPlat Code Coverage", "the warning names the collector that works");
        Assert.IsTrue(contained.Report.Results.All(r => r.ContainerId is { Length: 12 }), "the tests still ran in containers");
        Assert.IsFalse(native.Output.Contains(Warning, StringComparison.Ordinal), "nothing to say natively");
        var nativeReport = Cobertura.Load(native.Output);
        Assert.IsTrue(nativeReport.Lines("CoverageLibrary").Any(l => l.Hits > 0), "natively, Microsoft's collector covers the library");
        Assert.AreEqual("CoverageLibrary, CoverageMSTestFixture", string.Join(", ", nativeReport.Packages), "ContainerTest's assemblies are left out of Microsoft's report");
        Assert.IsFalse(Cobertura.Load(contained.Output).Packages.Any(p => p.StartsWith("ContainerTest.", StringComparison.Ordinal)), "with containers too");
        Assert.IsFalse(coverletOnly.Output.Contains(Warning, StringComparison.Ordinal), "coverlet alone draws no warning");
    }

    /// <summary>
    /// The user's case: the packed ContainerTest added to a fresh project. Neither collector's report
    /// names ContainerTest's assemblies or its private dependencies (Docker.DotNet carries its own
    /// symbols), natively or with containers, and coverlet's covers the containers as natively.
    /// </summary>
    [TestMethod]
    public async Task With_the_package_no_report_names_ContainerTest_or_its_dependencies()
    {
        var work = Directory.CreateTempSubdirectory("containertest-coverage-package-").FullName;
        var packages = Path.Combine(work, "packages");
        var version = "0.1.0-coverage" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        await RunOrFailAsync(["pack", DotnetTest.PathOf("nuget/ContainerTest/ContainerTest.csproj"), "-c", "Release", "-o", packages, "-p:Version=" + version, "-nologo"], DotnetTest.RepositoryRoot);
        var fixtures = DotnetTest.PathOf("tests/Fixtures/TestProjects/Coverage");
        var library = Directory.CreateDirectory(Path.Combine(work, "Lib")).FullName;
        File.Copy(Path.Combine(fixtures, "CoverageLibrary", "Shapes.cs"), Path.Combine(library, "Shapes.cs"));
        await File.WriteAllTextAsync(Path.Combine(library, "Lib.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
            </Project>
            """);
        var project = Directory.CreateDirectory(Path.Combine(work, "Fresh")).FullName;
        await File.WriteAllTextAsync(Path.Combine(project, "Fresh.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.11.0" />
                <PackageReference Include="MSTest.TestAdapter" Version="4.5.2" />
                <PackageReference Include="MSTest.TestFramework" Version="4.5.2" />
                <PackageReference Include="coverlet.collector" Version="10.0.1" />
                <PackageReference Include="ContainerTest" Version="{version}" />
              </ItemGroup>
              <ItemGroup><ProjectReference Include="../Lib/Lib.csproj" /></ItemGroup>
            </Project>
            """);
        var tests = await File.ReadAllTextAsync(Path.Combine(fixtures, "CoverageMSTestFixture", "ShapeTests.cs"));
        await File.WriteAllTextAsync(Path.Combine(project, "ShapeTests.cs"), "using Microsoft.VisualStudio.TestTools.UnitTesting;\n" + tests);
        await File.WriteAllTextAsync(Path.Combine(project, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="containertest" value="{packages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        await RunOrFailAsync(["build", "-nologo"], project);

        var reports = new Dictionary<string, Cobertura>();
        foreach (var (collector, name) in new[] { ("XPlat Code Coverage", "coverlet"), ("Code Coverage;Format=cobertura", "microsoft") })
        {
            foreach (var (enabled, mode) in new[] { ("0", "native"), ("1", "containers") })
            {
                var (exit, output) = await DotnetTest.RunAsync(["test", "--no-build", "--collect", collector, "--results-directory", Path.Combine(work, $"{name}-{mode}")], new Dictionary<string, string> { ["CONTAINERTEST"] = enabled }, TimeSpan.FromMinutes(5), CancellationToken.None, project);
                Assert.AreEqual(0, exit, output);
                reports[$"{name} {mode}"] = Cobertura.Load(output);
            }
        }

        Assert.AreEqual("Lib", string.Join(", ", reports["coverlet native"].Packages));
        Assert.AreEqual("Lib", string.Join(", ", reports["coverlet containers"].Packages));
        Assert.AreEqual("Fresh, Lib", string.Join(", ", reports["microsoft native"].Packages));
        Assert.AreEqual("Fresh, Lib", string.Join(", ", reports["microsoft containers"].Packages));
        CollectionAssert.AreEqual(reports["coverlet native"].Lines("Lib"), reports["coverlet containers"].Lines("Lib"));
        Directory.Delete(work, recursive: true);
    }

    private static async Task RunOrFailAsync(string[] arguments, string workingDirectory)
    {
        var (exit, output) = await DotnetTest.RunAsync(arguments, null, TimeSpan.FromMinutes(5), CancellationToken.None, workingDirectory);
        Assert.AreEqual(0, exit, $"dotnet {string.Join(' ', arguments)} failed:\n{output}");
    }

    /// <summary>A cobertura report, found by the path the collector printed under "Attachments:".</summary>
    private sealed class Cobertura(XDocument document)
    {
        public IReadOnlyList<string> Packages =>
            document.Descendants("package").Select(p => (string?)p.Attribute("name") ?? string.Empty).Order(StringComparer.Ordinal).ToList();

        public static Cobertura Load(string dotnetTestOutput)
        {
            var paths = CoberturaPath().Matches(dotnetTestOutput).Select(m => m.Value).Distinct().ToList();
            Assert.AreEqual(1, paths.Count, "one cobertura report attached: " + dotnetTestOutput);
            return new Cobertura(XDocument.Load(paths[0]));
        }

        /// <summary>Every line of the package's classes with its hit count, in file and line order.</summary>
        public List<(string File, int Line, int Hits)> Lines(string package) =>
            document.Descendants("package").Where(p => (string?)p.Attribute("name") == package)
                .Descendants("class")
                .SelectMany(c => c.Element("lines")!.Elements("line").Select(l => (
                    File: Path.GetFileName((string?)c.Attribute("filename") ?? string.Empty),
                    Line: (int)l.Attribute("number")!,
                    Hits: (int)l.Attribute("hits")!)))
                .Distinct()
                .OrderBy(l => l.File, StringComparer.Ordinal).ThenBy(l => l.Line)
                .ToList();
    }

    [GeneratedRegex(@"/\S+\.cobertura\.xml")]
    private static partial Regex CoberturaPath();
}
