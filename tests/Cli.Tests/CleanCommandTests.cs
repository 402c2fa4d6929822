namespace ContainerTest.Cli.Tests;

using ContainerTest.ContainerRuntime;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using ContainerTest.Cli.Tests.Fixtures;
using ContainerTest.ContainerRuntime.Backends.Docker;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>`dotnet containertest clean` finds what runs left behind and removes it — but not what a live run still uses.</summary>
[TestClass]
public sealed class CleanCommandTests
{
    [TestMethod]
    public async Task Clean_lists_a_leaked_container_removes_it_and_keeps_one_a_live_run_owns()
    {
        using var client = new DockerClientBuilder().Build();
        var image = await EmptyImageAsync(client);
        var leaked = await CreateContainerAsync(client, image, ownerPid: DeadProcessId());
        var live = await CreateContainerAsync(client, image, ownerPid: Environment.ProcessId);
        try
        {
            var (dryExit, dryOutput) = await CliTool.RunAsync("clean", "--dry-run", "--keep-images");
            Assert.AreEqual(0, dryExit, dryOutput);
            StringAssert.Contains(dryOutput, leaked[..12] + "  ");
            StringAssert.Contains(LineOf(dryOutput, leaked), "would be removed");
            StringAssert.Contains(LineOf(dryOutput, live), "in use by a run in progress, kept");
            Assert.IsTrue(await ExistsAsync(client, leaked), "--dry-run removed something");

            var (exit, output) = await CliTool.RunAsync("clean", "--keep-images");
            Assert.AreEqual(0, exit, output);
            Assert.IsFalse(await ExistsAsync(client, leaked), "the leaked container is still there:\n" + output);
            Assert.IsTrue(await ExistsAsync(client, live), "clean removed a container a live run owns");
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(live, new ContainerRemoveParameters { Force = true });
            if (await ExistsAsync(client, leaked))
            {
                await client.Containers.RemoveContainerAsync(leaked, new ContainerRemoveParameters { Force = true });
            }
        }
    }

    private static string LineOf(string output, string id) =>
        output.Split('\n').FirstOrDefault(l => l.Contains(id[..12], StringComparison.Ordinal)) ?? $"(no line for {id[..12]} in:\n{output})";

    private static int DeadProcessId()
    {
        // A process that ran and ended: its id is free (reuse within the test is vanishingly unlikely).
        using var process = Process.Start(new ProcessStartInfo("true"))!;
        process.WaitForExit();
        return process.Id;
    }

    private static async Task<string> CreateContainerAsync(DockerClient client, string image, int ownerPid)
    {
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = ["/never-started"],
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.Managed] = "true",
                [ContainerLabels.Kind] = "job",
                [ContainerLabels.RunId] = "clean-test",
                [ContainerLabels.OwnerProcessId] = ownerPid.ToString(CultureInfo.InvariantCulture),
                [ContainerLabels.OwnerHost] = Environment.MachineName,
            },
        });
        return created.ID;
    }

    private static async Task<bool> ExistsAsync(DockerClient client, string id)
    {
        try
        {
            await client.Containers.InspectContainerAsync(id);
            return true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
    }

    private static async Task<string> EmptyImageAsync(DockerClient client)
    {
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "README") { DataStream = new MemoryStream("nothing\n"u8.ToArray()) });
        }

        tar.Position = 0;
        await client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromSrc = "-", Repo = "containertest-test/empty", Tag = "1" },
            tar,
            new AuthConfig(),
            new Progress<JSONMessage>());
        return "containertest-test/empty:1";
    }
}
