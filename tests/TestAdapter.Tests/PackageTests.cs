namespace ContainerTest.TestAdapter.Tests;

using System.Globalization;
using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// The user's story end to end: pack ContainerTest, make a fresh test project elsewhere,
/// `dotnet add package ContainerTest`, `dotnet test` — every test ran in its own container.
/// </summary>
[TestClass]
public sealed class PackageTests
{
    private const string Tests = """
        namespace Fresh;

        using Microsoft.VisualStudio.TestTools.UnitTesting;

        [TestClass]
        public sealed class FreshTests
        {
            private static int counter;

            [TestMethod] public void First() => Assert.AreEqual(1, ++counter);
            [TestMethod] public void Second() => Assert.AreEqual(1, ++counter);
            [TestMethod] public void Third() => Assert.AreEqual(1, ++counter);
        }
        """;

    private const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.11.0" />
            <PackageReference Include="MSTest.TestAdapter" Version="4.5.2" />
            <PackageReference Include="MSTest.TestFramework" Version="4.5.2" />
          </ItemGroup>
        </Project>
        """;

    [TestMethod]
    public async Task A_fresh_project_with_the_package_added_runs_every_test_in_its_own_container()
    {
        var work = Directory.CreateTempSubdirectory("containertest-package-").FullName;
        var packages = Path.Combine(work, "packages");
        var version = "0.1.0-e2e" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        await RunOrFailAsync(
            ["pack", DotnetTest.PathOf("nuget/ContainerTest/ContainerTest.csproj"), "-c", "Release", "-o", packages, "-p:Version=" + version, "-nologo"],
            DotnetTest.RepositoryRoot);

        var project = Directory.CreateDirectory(Path.Combine(work, "Fresh")).FullName;
        await File.WriteAllTextAsync(Path.Combine(project, "Fresh.csproj"), Project);
        await File.WriteAllTextAsync(Path.Combine(project, "FreshTests.cs"), Tests);
        await File.WriteAllTextAsync(Path.Combine(project, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="containertest" value="{packages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        await RunOrFailAsync(["add", "package", "ContainerTest", "--version", version], project);

        var results = Path.Combine(work, "results");
        var (exit, output) = await DotnetTest.RunAsync(
            ["test", "--logger", "trx;LogFileName=fresh.trx", "--results-directory", results], null, TimeSpan.FromMinutes(8), CancellationToken.None, project);
        var report = TrxReport.Load(Path.Combine(results, "fresh.trx"));

        Assert.AreEqual(0, exit, output);
        Assert.AreEqual(3, report.Results.Count, output);
        Assert.IsTrue(report.Results.All(r => r.Outcome == "Passed"), "natively two of them would fail: they share a static counter");
        Assert.AreEqual(3, report.Results.Select(r => r.ContainerId).Where(id => id is not null).Distinct().Count(), "each test in a container of its own");
        var toolbox = Path.Combine(project, "bin", "Debug", "net10.0", ".containertest", "toolbox");
        Assert.IsTrue(File.Exists(Path.Combine(toolbox, "busybox")), "the package's toolbox was not staged for `dotnet containertest shell`");
        Assert.IsTrue(File.Exists(Path.Combine(toolbox, "toybox")), "the package's toybox was not staged for `dotnet containertest shell`");
        var tools = await File.ReadAllTextAsync(Path.Combine(toolbox, "applets"));
        StringAssert.Contains(tools, "\nsh\tbusybox\n");
        StringAssert.Contains(tools, "\nls\ttoybox\n");
        Directory.Delete(work, recursive: true);
    }

    private static async Task RunOrFailAsync(string[] arguments, string workingDirectory)
    {
        var (exit, output) = await DotnetTest.RunAsync(arguments, null, TimeSpan.FromMinutes(5), CancellationToken.None, workingDirectory);
        Assert.AreEqual(0, exit, $"dotnet {string.Join(' ', arguments)} failed:\n{output}");
    }
}
