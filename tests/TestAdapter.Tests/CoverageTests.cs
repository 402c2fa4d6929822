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

        // The MSTest fixture also starts a child program (CoverageChild), which coverlet measures as well.
        var expected = fixture == "CoverageMSTestFixture" ? "CoverageChild, CoverageLibrary" : "CoverageLibrary";
        foreach (var (run, report) in new[] { ("native", nativeReport), ("containers", containedReport) })
        {
            Assert.AreEqual(expected, string.Join(", ", report.Packages), $"{run}: only the code under test is in the report");
        }

        CollectionAssert.AreEqual(nativeReport.Lines("CoverageChild"), containedReport.Lines("CoverageChild"), "the child program's lines as natively");
    }

    /// <summary>
    /// A test that ends its process (Environment.Exit): natively the collectors' trackers flush at
    /// process exit, so what it ran before is in the report; so it is with containers, for both
    /// collectors, and the test fails with the reason.
    /// </summary>
    [TestMethod]
    [DataRow("XPlat Code Coverage")]
    [DataRow("Code Coverage;Format=cobertura")]
    public async Task What_a_test_ran_before_ending_its_process_is_in_the_report_as_natively(string collector)
    {
        var project = DotnetTest.PathOf("tests/Fixtures/TestProjects/Coverage/CoverageMSTestFixture/CoverageMSTestFixture.csproj");
        await DotnetTest.BuildAsync(project, CancellationToken.None);
        var settings = Path.Combine(Directory.CreateTempSubdirectory("containertest-coverage-exit-").FullName, "exit.runsettings");
        await File.WriteAllTextAsync(settings, "<RunSettings><RunConfiguration><EnvironmentVariables><COVERAGE_FIXTURE_EXIT>1</COVERAGE_FIXTURE_EXIT></EnvironmentVariables></RunConfiguration></RunSettings>");
        string[] arguments = ["--settings", settings, "--collect", collector, "--filter", "Name=EndsItsProcessWhenAsked"];

        var native = await DotnetTest.TestAsync(project, arguments, new Dictionary<string, string> { ["CONTAINERTEST"] = "0" });
        var contained = await DotnetTest.TestAsync(project, arguments);

        var ended = contained.Report.Single("EndsItsProcessWhenAsked");
        Assert.AreEqual("Failed", ended.Outcome, contained.Output);
        StringAssert.Contains(ended.ErrorMessage, "exited with code 3 before the test reported a result");
        var nativeLines = Cobertura.Load(native.Output).Lines("CoverageLibrary").Where(l => l.File == "Processes.cs").ToList();
        Assert.IsTrue(nativeLines.Count(l => l.Hits > 0) >= 2, "natively, the lines run before the exit are covered: " + string.Join(", ", nativeLines));
        CollectionAssert.AreEqual(nativeLines, Cobertura.Load(contained.Output).Lines("CoverageLibrary").Where(l => l.File == "Processes.cs").ToList(), "the same lines as natively: " + contained.Output);
        Directory.Delete(Path.GetDirectoryName(settings)!, recursive: true);
    }

    /// <summary>
    /// coverlet.msbuild (`/p:CollectCoverage=true`) instruments before vstest starts and names no
    /// collector in the run settings; its report too covers what the containers ran, as natively.
    /// </summary>
    [TestMethod]
    public async Task Coverlet_msbuild_reports_the_lines_the_containers_ran_as_a_native_run_does()
    {
        var project = DotnetTest.PathOf("tests/Fixtures/TestProjects/Coverage/CoverageMSTestFixture/CoverageMSTestFixture.csproj");
        await DotnetTest.BuildAsync(project, CancellationToken.None);
        var reports = Directory.CreateTempSubdirectory("containertest-coverlet-msbuild-").FullName;
        string[] Collect(string name) => ["/p:CollectCoverage=true", "/p:CoverletOutputFormat=cobertura", $"/p:CoverletOutput={Path.Combine(reports, name)}.xml"];

        var native = await DotnetTest.TestAsync(project, Collect("native"), new Dictionary<string, string> { ["CONTAINERTEST"] = "0" });
        var contained = await DotnetTest.TestAsync(project, Collect("containers"));

        Assert.IsTrue(contained.Report.Results.All(r => r.ContainerId is { Length: 12 }), "every test ran in a container: " + contained.Output);
        var nativeLines = new Cobertura(XDocument.Load(Path.Combine(reports, "native.xml"))).Lines("CoverageLibrary");
        Assert.IsTrue(nativeLines.Count(l => l.Hits > 0) >= 8 && nativeLines.Any(l => l.Hits == 0), "natively the fixture covers part of the library: " + native.Output);
        CollectionAssert.AreEqual(nativeLines, new Cobertura(XDocument.Load(Path.Combine(reports, "containers.xml"))).Lines("CoverageLibrary"), "the same lines, hit as often, as natively: " + contained.Output);
        Directory.Delete(reports, recursive: true);
    }

    /// <summary>
    /// Microsoft's collector, in both its formats at once (cobertura and the binary .coverage): the
    /// containers' report is the native one, line for line and probe for probe, in sandboxes and
    /// in containers, and ContainerTest's assemblies are in neither.
    /// </summary>
    [TestMethod]
    [DataRow("CoverageMSTestFixture", "sandbox")]
    [DataRow("CoverageXunitFixture", "container")]
    [DataRow("CoverageNUnitFixture", "sandbox")]
    public async Task Microsoft_code_coverage_reports_what_the_containers_ran_as_a_native_run_does(string fixture, string isolation)
    {
        var project = DotnetTest.PathOf($"tests/Fixtures/TestProjects/Coverage/{fixture}/{fixture}.csproj");
        await DotnetTest.BuildAsync(project, CancellationToken.None);
        string[] collect = ["--collect", "Code Coverage;Format=coverage,cobertura"];

        var native = await DotnetTest.TestAsync(project, collect, new Dictionary<string, string> { ["CONTAINERTEST"] = "0" });
        var contained = await DotnetTest.TestAsync(project, collect, new Dictionary<string, string> { ["CONTAINERTEST_ISOLATION"] = isolation });

        Assert.AreEqual(0, contained.ExitCode, contained.Output);
        Assert.IsTrue(contained.Report.Results.All(r => r.ContainerId is { Length: 12 }), "every test ran in a container: " + contained.Output);
        Assert.IsFalse(contained.Output.Contains("Code Coverage collector", StringComparison.Ordinal), "nothing to warn of: " + contained.Output);
        var nativeReport = Cobertura.Load(native.Output);
        var containedReport = Cobertura.Load(contained.Output);
        var child = fixture == "CoverageMSTestFixture" ? "CoverageChild, " : string.Empty; // the MSTest fixture also starts a child program
        Assert.AreEqual($"{child}CoverageLibrary, {fixture}", string.Join(", ", nativeReport.Packages), "natively, the library and the tests are measured, not ContainerTest");
        Assert.AreEqual(string.Join(", ", nativeReport.Packages), string.Join(", ", containedReport.Packages), "the same modules with containers");
        var nativeLines = nativeReport.Lines("CoverageLibrary");
        Assert.IsTrue(nativeLines.Count(l => l.Hits > 0) >= 8 && nativeLines.Any(l => l.Hits == 0), "natively the fixture covers part of the library: " + string.Join(", ", nativeLines));
        foreach (var package in nativeReport.Packages)
        {
            CollectionAssert.AreEqual(nativeReport.Lines(package), containedReport.Lines(package), $"{package}: the same lines covered as natively");
        }

        var nativeProbes = await MicrosoftCoverageFile.ModuleProbesAsync(MicrosoftCoverageFile.PathIn(native.Output), project);
        var containedProbes = await MicrosoftCoverageFile.ModuleProbesAsync(MicrosoftCoverageFile.PathIn(contained.Output), project);
        Assert.IsTrue(nativeProbes.ContainsKey("coveragelibrary.dll"), "the binary report holds the library: " + string.Join(", ", nativeProbes.Keys));
        Assert.AreEqual(
            string.Join("\n", nativeProbes.Select(p => $"{p.Key} {p.Value}")),
            string.Join("\n", containedProbes.Select(p => $"{p.Key} {p.Value}")),
            "the binary report: every module's probes as natively");
    }

    /// <summary>
    /// coverlet's Microsoft.Testing.Platform extension, run as CI scripts run a test executable
    /// (its apphost; the SDK's MTP mode of `dotnet test` starts the same): its controller
    /// instruments on the host, each test runs in its own sandbox, and the report it writes is the
    /// native one, line for line and hit for hit.
    /// </summary>
    [TestMethod]
    public async Task Coverlet_on_the_testing_platform_reports_the_lines_the_sandboxes_ran_as_a_native_run_does()
    {
        var project = DotnetTest.PathOf("tests/Fixtures/TestProjects/Mtp/MtpCoverageFixture/MtpCoverageFixture.csproj");
        var folder = Path.GetDirectoryName(project)!;
        var (buildExit, build) = await DotnetTest.RunAsync(["build", project, "-c", "Release", "-nologo", .. DotnetTest.SolutionBuiltSwitches], null, TimeSpan.FromMinutes(8), CancellationToken.None);
        Assert.AreEqual(0, buildExit, build);

        var reports = new Dictionary<string, Cobertura>();
        foreach (var (enabled, mode) in new[] { ("0", "native"), ("1", "sandboxes") })
        {
            var results = Directory.CreateTempSubdirectory("containertest-coverlet-mtp-").FullName;
            var apphost = Path.Combine(folder, "bin", "Release", "net10.0", "MtpCoverageFixture");
            var (exit, output) = await DotnetTest.RunAsync(
                ["--coverlet", "--coverlet-output-format", "cobertura", "--results-directory", results],
                new Dictionary<string, string> { ["CONTAINERTEST"] = enabled }, TimeSpan.FromMinutes(5), CancellationToken.None, folder,
                launcher: ["sh", "-c", "shift; exec \"$0\" \"$@\"", apphost]); // the launcher's "dotnet" is dropped
            Assert.AreEqual(0, exit, output);
            Assert.AreEqual(mode == "sandboxes", output.Contains("each in its own sandbox", StringComparison.Ordinal), $"{mode}: where the tests ran: {output}");
            var report = Directory.GetFiles(results, "coverage.cobertura*.xml", SearchOption.AllDirectories);
            Assert.AreEqual(1, report.Length, $"{mode}: one coverlet report in {results}: {output}");
            reports[mode] = new Cobertura(XDocument.Load(report[0]));
            Directory.Delete(results, recursive: true);
        }

        var nativeLines = reports["native"].Lines("CoverageLibrary");
        Assert.IsTrue(nativeLines.Count(l => l.Hits > 0) >= 8 && nativeLines.Any(l => l.Hits == 0), "natively the tests cover part of the library: " + string.Join(", ", nativeLines));
        CollectionAssert.AreEqual(nativeLines, reports["sandboxes"].Lines("CoverageLibrary"), "the same lines, hit as often, as natively");
        Assert.AreEqual(string.Join(", ", reports["native"].Packages), string.Join(", ", reports["sandboxes"].Packages), "the same modules");
        Assert.IsFalse(reports["sandboxes"].Packages.Any(p => p.StartsWith("ContainerTest", StringComparison.Ordinal)), "ContainerTest is not in the report");
    }

    /// <summary>
    /// With its static instrumentation turned off, Microsoft's collector has nothing that reaches
    /// the containers: the run says so, once, and names what works instead.
    /// </summary>
    [TestMethod]
    public async Task Microsoft_code_coverage_without_static_instrumentation_is_announced_as_not_measuring_the_containers()
    {
        var project = DotnetTest.PathOf("tests/Fixtures/TestProjects/Coverage/CoverageMSTestFixture/CoverageMSTestFixture.csproj");
        await DotnetTest.BuildAsync(project, CancellationToken.None);
        var settings = await MicrosoftCoverageSettingsAsync("<EnableStaticManagedInstrumentation>False</EnableStaticManagedInstrumentation>");
        const string Warning = "ContainerTest: Microsoft's code coverage collector (the \"Code Coverage\" data collector) instrumented no module of the test's output folder";

        var contained = await DotnetTest.TestAsync(project, ["--settings", settings]);

        Assert.AreEqual(1, Regex.Count(contained.Output, Regex.Escape(Warning)), contained.Output);
        StringAssert.Contains(contained.Output, "EnableStaticManagedInstrumentation", "the warning names the setting");
        StringAssert.Contains(contained.Output, "XPlat Code Coverage", "and the collector that works");
        Assert.IsTrue(contained.Report.Results.All(r => r.ContainerId is { Length: 12 }), "the tests still ran in containers");

        // Run settings of the user's own, which exclude nothing: the collector's profiler instruments
        // what loads in the test host, yet neither ContainerTest's assemblies (their assembly-level
        // ExcludeFromCodeCoverage) nor its private dependencies (shipped without symbols) are measured.
        var packages = Cobertura.Load(contained.Output).Packages;
        Assert.AreEqual("CoverageLibrary, CoverageMSTestFixture", string.Join(", ", packages), "only the user's modules are in the report");
        Assert.IsFalse(contained.Output.Contains(".containertest", StringComparison.Ordinal), "no exclusion is asked for: " + contained.Output);
        Directory.Delete(Path.GetDirectoryName(settings)!, recursive: true);
    }

    /// <summary>
    /// With its dynamic (profiler) instrumentation off, Microsoft's collector tells the test host
    /// only its session's name, not where its buffers are; its static instrumentation still reaches
    /// the tests, and the report is the native one.
    /// </summary>
    [TestMethod]
    public async Task Microsoft_code_coverage_without_dynamic_instrumentation_reports_what_the_containers_ran_as_a_native_run_does()
    {
        var project = DotnetTest.PathOf("tests/Fixtures/TestProjects/Coverage/CoverageMSTestFixture/CoverageMSTestFixture.csproj");
        await DotnetTest.BuildAsync(project, CancellationToken.None);
        var settings = await MicrosoftCoverageSettingsAsync("<EnableDynamicManagedInstrumentation>False</EnableDynamicManagedInstrumentation>");

        var native = await DotnetTest.TestAsync(project, ["--settings", settings], new Dictionary<string, string> { ["CONTAINERTEST"] = "0" });
        var contained = await DotnetTest.TestAsync(project, ["--settings", settings]);

        Assert.IsTrue(contained.Report.Results.All(r => r.ContainerId is { Length: 12 }), "the tests ran in sandboxes: " + contained.Output);
        Assert.IsFalse(contained.Output.Contains("code coverage collector", StringComparison.Ordinal), "nothing to warn of: " + contained.Output);
        var nativeReport = Cobertura.Load(native.Output);
        var containedReport = Cobertura.Load(contained.Output);
        Assert.IsTrue(nativeReport.Lines("CoverageLibrary").Any(l => l.Hits > 0), "natively the library is covered: " + string.Join(", ", nativeReport.Packages));
        Assert.AreEqual(string.Join(", ", nativeReport.Packages), string.Join(", ", containedReport.Packages));
        foreach (var package in nativeReport.Packages)
        {
            CollectionAssert.AreEqual(nativeReport.Lines(package), containedReport.Lines(package), $"{package}: the same lines covered as natively");
        }

        Directory.Delete(Path.GetDirectoryName(settings)!, recursive: true);
    }

    /// <summary>
    /// The user's case: the packed ContainerTest added to a fresh project. Neither collector's report
    /// names ContainerTest's assemblies or its private dependencies (Docker.DotNet's package embeds
    /// its symbols; ContainerTest ships it without), natively or with containers, under
    /// <c>--collect</c> and under run settings of the user's own that exclude nothing, and each
    /// report covers the containers as natively.
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

        // Run settings of the user's own, which say nothing of ContainerTest.
        var ownSettings = Path.Combine(work, "own.runsettings");
        await File.WriteAllTextAsync(ownSettings, """
            <RunSettings><DataCollectionRunSettings><DataCollectors>
              <DataCollector friendlyName="Code Coverage"><Configuration><Format>cobertura</Format></Configuration></DataCollector>
            </DataCollectors></DataCollectionRunSettings></RunSettings>
            """);

        // And settings that include every attribute, which overrides the assembly-level
        // ExcludeFromCodeCoverage: ContainerTest's assemblies carry no symbols, so they stay out.
        var attributeSettings = Path.Combine(work, "attributes.runsettings");
        await File.WriteAllTextAsync(attributeSettings, """
            <RunSettings><DataCollectionRunSettings><DataCollectors>
              <DataCollector friendlyName="Code Coverage"><Configuration><Format>cobertura</Format>
                <CodeCoverage><Attributes><Include><Attribute>.*</Attribute></Include></Attributes></CodeCoverage>
              </Configuration></DataCollector>
            </DataCollectors></DataCollectionRunSettings></RunSettings>
            """);

        var reports = new Dictionary<string, Cobertura>();
        foreach (var (collect, name) in new[] { (new[] { "--collect", "XPlat Code Coverage" }, "coverlet"), (["--collect", "Code Coverage;Format=cobertura"], "microsoft"), (["--settings", ownSettings], "microsoft-own-settings"), (["--settings", attributeSettings], "microsoft-attributes") })
        {
            foreach (var (enabled, mode) in new[] { ("0", "native"), ("1", "containers") })
            {
                var (exit, output) = await DotnetTest.RunAsync(["test", "--no-build", .. collect, "--results-directory", Path.Combine(work, $"{name}-{mode}")], new Dictionary<string, string> { ["CONTAINERTEST"] = enabled }, TimeSpan.FromMinutes(5), CancellationToken.None, project);
                Assert.AreEqual(0, exit, output);
                reports[$"{name} {mode}"] = Cobertura.Load(output);
            }
        }

        Assert.AreEqual("Lib", string.Join(", ", reports["coverlet native"].Packages));
        Assert.AreEqual("Lib", string.Join(", ", reports["coverlet containers"].Packages));
        Assert.AreEqual("Fresh, Lib", string.Join(", ", reports["microsoft native"].Packages));
        Assert.AreEqual("Fresh, Lib", string.Join(", ", reports["microsoft containers"].Packages));
        Assert.AreEqual("Fresh, Lib", string.Join(", ", reports["microsoft-own-settings native"].Packages));
        Assert.AreEqual("Fresh, Lib", string.Join(", ", reports["microsoft-own-settings containers"].Packages), "nothing of ContainerTest's under settings that exclude nothing");
        CollectionAssert.AreEqual(reports["microsoft-own-settings native"].Lines("Lib"), reports["microsoft-own-settings containers"].Lines("Lib"));
        var attributed = reports["microsoft-attributes native"].Packages;
        Assert.IsFalse(attributed.Any(p => p.StartsWith("ContainerTest", StringComparison.Ordinal) || p.StartsWith("Docker", StringComparison.Ordinal)), "natively, with every attribute included: " + string.Join(", ", attributed));
        Assert.AreEqual(string.Join(", ", attributed), string.Join(", ", reports["microsoft-attributes containers"].Packages), "with containers too");
        foreach (var package in attributed)
        {
            CollectionAssert.AreEqual(reports["microsoft-attributes native"].Lines(package), reports["microsoft-attributes containers"].Lines(package), package);
        }

        CollectionAssert.AreEqual(reports["coverlet native"].Lines("Lib"), reports["coverlet containers"].Lines("Lib"));
        Assert.IsTrue(reports["microsoft native"].Lines("Lib").Any(l => l.Hits > 0), "natively, Microsoft's collector covers the library");
        CollectionAssert.AreEqual(reports["microsoft native"].Lines("Lib"), reports["microsoft containers"].Lines("Lib"));
        CollectionAssert.AreEqual(reports["microsoft native"].Lines("Fresh"), reports["microsoft containers"].Lines("Fresh"));
        Directory.Delete(work, recursive: true);
    }

    /// <summary>Run settings of a user's own in a folder of their own: Microsoft's collector, cobertura, and <paramref name="codeCoverage"/> in its CodeCoverage element.</summary>
    private static async Task<string> MicrosoftCoverageSettingsAsync(string codeCoverage)
    {
        var settings = Path.Combine(Directory.CreateTempSubdirectory("containertest-coverage-settings-").FullName, "own.runsettings");
        await File.WriteAllTextAsync(settings, $"""
            <RunSettings><DataCollectionRunSettings><DataCollectors>
              <DataCollector friendlyName="Code Coverage"><Configuration>
                <Format>cobertura</Format>
                <CodeCoverage>{codeCoverage}</CodeCoverage>
              </Configuration></DataCollector>
            </DataCollectors></DataCollectionRunSettings></RunSettings>
            """);
        return settings;
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
