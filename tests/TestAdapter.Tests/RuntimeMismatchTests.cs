namespace ContainerTest.TestAdapter.Tests;

using System.Formats.Tar;
using ContainerTest.TestAdapter.Tests.Fixtures;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// An image whose .NET is older than the one the tests were built for: the probe sees the runtime
/// fail to start, so the runtime the tests need comes as a layer, saying so — and the tests pass.
/// </summary>
[TestClass]
public sealed class RuntimeMismatchTests
{
    private const string Project = "tests/Fixtures/TestProjects/CrashFixture/CrashFixture.csproj";
    private const string Tag = "containertest-test/older-dotnet:1";
    private const string RuntimeFolder = "usr/share/dotnet/shared/Microsoft.NETCore.App/";

    [TestMethod]
    public async Task An_image_with_an_older_dotnet_gets_the_runtime_the_tests_need_as_a_layer()
    {
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, CancellationToken.None);
        await OlderRuntimeImageAsync(CancellationToken.None);

        var run = await DotnetTest.TestAsync(path, ["--filter", "Name~Passes", "--logger", "console;verbosity=normal"], new Dictionary<string, string> { ["CONTAINERTEST_IMAGE"] = Tag });

        Assert.AreEqual(2, run.Report.Results.Count, run.Output);
        Assert.IsTrue(run.Report.Results.All(r => r.Outcome == "Passed"), run.Output);
        StringAssert.Contains(run.Output, $"the image '{Tag}' has no Microsoft.NETCore.App 10.0.0; adding Microsoft.NETCore.App.Runtime.linux-x64 10.0.");
        Assert.IsFalse(run.Output.Contains("has no ICU", StringComparison.Ordinal), "the host image has ICU: no invariant globalization");
        Assert.AreEqual(0, await LeftoverContainers.CountForAsync(path));
    }

    /// <summary>
    /// A copy of the host image in which the .NET runtime's folder is named 8.0.0: the host finds
    /// only a .NET 8 runtime there, as in an image that ships .NET 8.
    /// </summary>
    private static async Task OlderRuntimeImageAsync(CancellationToken cancellationToken)
    {
        using var client = new DockerClientBuilder().Build();
        var hostImage = (await client.Images.ListImagesAsync(
                new ImagesListParameters { Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["io.containertest.kind=host-image"] = true } } },
                cancellationToken))
            .OrderByDescending(i => i.Created)
            .Select(i => i.RepoTags?.FirstOrDefault())
            .FirstOrDefault(t => t is not null)
            ?? throw new InvalidOperationException("no host image on this engine: run any containerized test first");
        var inspected = await client.Images.InspectImageAsync(hostImage, cancellationToken);
        // Never started, removed below; not labelled as ours, or a concurrent run's orphan reaper would remove it mid-export.
        var container = await client.Containers.CreateContainerAsync(new CreateContainerParameters { Image = hostImage, Cmd = ["none"] }, cancellationToken);
        var archive = Path.GetTempFileName();
        var original = Path.GetTempFileName();
        try
        {
            // Saved first: the engine's chunked stream does not bear TarReader's exact reads.
            await using (var saved = File.Create(original))
            {
                await using var exported = await client.Containers.ExportContainerAsync(container.ID, cancellationToken);
                await exported.CopyToAsync(saved, cancellationToken);
            }

            await using (var renamed = File.Create(archive))
            {
                await using var exported = File.OpenRead(original);
                await using var reader = new TarReader(exported);
                await using var writer = new TarWriter(renamed, TarEntryFormat.Pax, leaveOpen: true);
                while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
                {
                    entry.Name = Older(entry.Name);
                    if (entry.EntryType is TarEntryType.HardLink)
                    {
                        entry.LinkName = Older(entry.LinkName);
                    }

                    await writer.WriteEntryAsync(entry, cancellationToken);
                }
            }

            await using var tar = File.OpenRead(archive);
            await client.Images.CreateImageAsync(
                new ImagesCreateParameters
                {
                    FromSrc = "-",
                    Repo = Tag.Split(':')[0],
                    Tag = Tag.Split(':')[1],
                    Changes = [.. (inspected.Config?.Env ?? []).Select(e => $"ENV {e}"), "LABEL io.containertest.managed=true"],
                },
                tar,
                new AuthConfig(),
                new Progress<JSONMessage>(),
                cancellationToken);
        }
        finally
        {
            File.Delete(archive);
            File.Delete(original);
            await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
    }

    /// <summary>usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.x/… → …/8.0.0/….</summary>
    private static string Older(string name)
    {
        if (!name.StartsWith(RuntimeFolder, StringComparison.Ordinal) || name.Length == RuntimeFolder.Length)
        {
            return name;
        }

        var rest = name[RuntimeFolder.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return RuntimeFolder + "8.0.0" + (slash < 0 ? string.Empty : rest[slash..]);
    }
}
