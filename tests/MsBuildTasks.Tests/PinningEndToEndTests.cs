namespace ContainerTest.MsBuildTasks.Tests;

using System.Text.Json;
using ContainerTest.ContainerRuntime.Tests.Fixtures;
using ContainerTest.MsBuildTasks.Tests.Fixtures;
using ContainerTest.TestAdapter.Tests.Fixtures;
using global::Docker.DotNet;

/// <summary>
/// The whole story, for real: a test project generated in a temporary folder (importing the
/// build integration from source, as the samples do) with <c>ContainerTestImage</c> a tag in
/// Debian's docker-registry on 127.0.0.1, built with the real <c>dotnet build</c> and run with
/// the real <c>dotnet test</c>; the tag is moved upstream between builds.
/// </summary>
[TestClass]
public sealed class PinningEndToEndTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private const string Repository = "pin/app";

    // The outer run's CI must not make the inner builds locked, except where a test says so.
    private static readonly Dictionary<string, string> NotCi = new() { ["CI"] = string.Empty };

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Lock_is_written_then_kept_when_the_tag_moves_until_an_update_is_asked_for_and_locked_builds_refuse_another_image()
    {
        var cancellationToken = TestContext.CancellationToken;
        using var docker = new DockerClientBuilder().Build();
        await using var images = new MarkerImages();
        var registry = await LocalRegistry.StartAsync(docker, cancellationToken);
        var registryStopped = false;
        var project = Directory.CreateTempSubdirectory("containertest-pin-e2e-").FullName;
        try
        {
            var image = registry.Reference(Repository, "1");
            var lockPath = Path.Combine(project, "containertest.lock.json");
            var settingsPath = Path.Combine(project, "bin", Configuration, "net10.0", ".containertest", "settings.json");
            await WriteProjectAsync(project, image);

            // 1. The first build resolves the tag and writes the registry's digest.
            var digestA = await registry.PushAsync(await images.WithMarkerAsync("A", cancellationToken), Repository, "1", cancellationToken);
            var first = await BuildAsync(project, [], NotCi, dependencies: true);
            Assert.AreEqual(0, first.ExitCode, first.Output);
            var written = await File.ReadAllTextAsync(lockPath, cancellationToken);
            Assert.AreEqual(image, LockValue(written, "image"));
            Assert.AreEqual(digestA, LockValue(written, "digest"));
            Assert.AreEqual($"{registry.Host}/{Repository}@{digestA}", SettingsImage(settingsPath));

            // 2. The tag moves upstream: the lock, the settings and the image the tests run in stay.
            var digestB = await registry.PushAsync(await images.WithMarkerAsync("B", cancellationToken), Repository, "1", cancellationToken);
            Assert.AreNotEqual(digestA, digestB);
            var lockTime = File.GetLastWriteTimeUtc(lockPath);
            var again = await BuildAsync(project, [], NotCi);
            Assert.AreEqual(0, again.ExitCode, again.Output);
            Assert.AreEqual(written, await File.ReadAllTextAsync(lockPath, cancellationToken));
            Assert.AreEqual(lockTime, File.GetLastWriteTimeUtc(lockPath), "an unchanged lock was written again");
            Assert.AreEqual($"{registry.Host}/{Repository}@{digestA}", SettingsImage(settingsPath));
            var run = await DotnetTest.TestAsync(project, environment: NotCi, cancellationToken: cancellationToken);
            var result = run.Report.Single("Reads_the_marker");
            Assert.AreEqual("Passed", result.Outcome, run.Output);
            Assert.IsNotNull(result.ContainerId, "the test did not run in a container:\n" + run.Output);
            StringAssert.Contains(result.StdOut, "marker=A", run.Output);

            // 3. The update switch resolves again and writes the new digest.
            var updated = await BuildAsync(project, ["-p:ContainerTestUpdateLock=true"], NotCi);
            Assert.AreEqual(0, updated.ExitCode, updated.Output);
            Assert.AreEqual(digestB, LockValue(await File.ReadAllTextAsync(lockPath, cancellationToken), "digest"));
            Assert.AreEqual($"{registry.Host}/{Repository}@{digestB}", SettingsImage(settingsPath));

            // 4. `dotnet containertest pin` does the same (the tag moved back to A).
            await registry.PushAsync(await images.WithMarkerAsync("A", cancellationToken), Repository, "1", cancellationToken);
            var pin = await DotnetTest.RunAsync([Path.Combine(AppContext.BaseDirectory, "dotnet-containertest.dll"), "pin", "--project", project], NotCi, TimeSpan.FromMinutes(3), cancellationToken);
            Assert.AreEqual(0, pin.ExitCode, pin.Output);
            StringAssert.Contains(pin.Output, $"pinned to {digestA}", pin.Output);
            Assert.AreEqual(digestA, LockValue(await File.ReadAllTextAsync(lockPath, cancellationToken), "digest"));

            // 5. A matching lock needs no network at all: with the registry gone an (unlocked) build passes without
            //    the warning it gives when it asks a registry that does not answer (step 6).
            await registry.DisposeAsync();
            registryStopped = true;
            var offline = await BuildAsync(project, [], NotCi);
            Assert.AreEqual(0, offline.ExitCode, offline.Output);
            Assert.IsFalse(offline.Output.Contains("CTPIN", StringComparison.Ordinal), offline.Output);
            Assert.AreEqual($"{registry.Host}/{Repository}@{digestA}", SettingsImage(settingsPath));

            // 6. Another ContainerTestImage: a locked build fails with one message saying how to fix it…
            var other = registry.Reference(Repository, "2");
            foreach (var (switches, environment) in new (string[], Dictionary<string, string>)[] { ([$"-p:ContainerTestImage={other}", "-p:ContainerTestLocked=true"], NotCi), ([$"-p:ContainerTestImage={other}"], new() { ["CI"] = "true" }) })
            {
                var locked = await BuildAsync(project, switches, environment);
                Assert.AreNotEqual(0, locked.ExitCode, locked.Output);
                StringAssert.Contains(locked.Output, $"error CTPIN02: ContainerTest: {lockPath} pins {image}, not the configured image {other}", locked.Output);
                StringAssert.Contains(locked.Output, "dotnet build -p:ContainerTestUpdateLock=true", locked.Output);
                Assert.IsFalse(locked.Output.Contains("   at ", StringComparison.Ordinal), "a stack trace:\n" + locked.Output);
            }

            // …and an unlocked one warns that the registry does not answer, and runs the tag unpinned.
            var unlocked = await BuildAsync(project, [$"-p:ContainerTestImage={other}"], NotCi);
            Assert.AreEqual(0, unlocked.ExitCode, unlocked.Output);
            StringAssert.Contains(unlocked.Output, $"warning CTPIN01: ContainerTest: The image {other} is used unpinned", unlocked.Output);
            Assert.AreEqual(other, SettingsImage(settingsPath));
            Assert.AreEqual(digestA, LockValue(await File.ReadAllTextAsync(lockPath, cancellationToken), "digest"));
        }
        finally
        {
            if (!registryStopped)
            {
                await registry.DisposeAsync();
            }

            Directory.Delete(project, recursive: true);
        }
    }

    private static string LockValue(string json, string name)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty(name).GetString()!;
    }

    private static string SettingsImage(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.TryGetProperty("Image", out var image) ? image.GetString()! : "(no Image in " + File.ReadAllText(path) + ")";
    }

    private static async Task WriteProjectAsync(string directory, string image)
    {
        var fromSource = Path.Combine(DotnetTest.RepositoryRoot, "nuget", "build", "ContainerTest.FromSource.targets");
        await File.WriteAllTextAsync(Path.Combine(directory, "PinnedTests.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <IsPackable>false</IsPackable>
                <ContainerTestImage>{image}</ContainerTestImage>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.11.0" />
                <PackageReference Include="MSTest.TestAdapter" Version="4.5.2" />
                <PackageReference Include="MSTest.TestFramework" Version="4.5.2" />
              </ItemGroup>
              <Import Project="{fromSource}" />
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(directory, "MarkerTests.cs"), """
            namespace PinnedTests;

            using Microsoft.VisualStudio.TestTools.UnitTesting;

            [TestClass]
            public class MarkerTests
            {
                [TestMethod]
                public void Reads_the_marker() => System.Console.WriteLine("marker=" + System.IO.File.ReadAllText("/marker.txt").Trim());
            }
            """);
    }

    // The first build also builds the adapter and the tasks from source, unless build.sh just built
    // the solution (then a build of them here could race the other test projects' builds that read
    // them); later ones leave them alone (faster, and global properties do not reach them).
    private async Task<(int ExitCode, string Output)> BuildAsync(string project, string[] switches, Dictionary<string, string> environment, bool dependencies = false) =>
        await DotnetTest.RunAsync(["build", project, "-c", Configuration, "-nologo", .. dependencies && !SolutionBuilt ? Array.Empty<string>() : ["--no-dependencies"], .. switches], environment, TimeSpan.FromMinutes(5), TestContext.CancellationToken);

    /// <summary>True when build.sh built the whole solution before the tests (CONTAINERTEST_SUITE_SOLUTION_BUILT=1).</summary>
    private static bool SolutionBuilt => Environment.GetEnvironmentVariable("CONTAINERTEST_SUITE_SOLUTION_BUILT") == "1";
}
