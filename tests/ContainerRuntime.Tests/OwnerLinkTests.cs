namespace ContainerTest.ContainerRuntime.Tests;

using System.Diagnostics;
using ContainerTest.ContainerRuntime.Tests.Fixtures;
using global::Docker.DotNet;

/// <summary>A job tied to its owner goes away with it, even when the owner is killed outright (SIGKILL).</summary>
[TestClass]
public sealed class OwnerLinkTests
{
    [TestMethod]
    public async Task A_killed_owner_takes_its_job_container_with_it()
    {
        var probe = Path.Combine(Path.GetDirectoryName(typeof(OwnerLinkTests).Assembly.Location)!, "OwnerProbe.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(probe);
        start.ArgumentList.Add(TestEngine.ToolboxImage);
        using var owner = Process.Start(start)!;
        var line = await owner.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line is null)
        {
            Assert.Fail("the probe printed no container id: " + await owner.StandardError.ReadToEndAsync());
        }

        var containerId = line["container ".Length..];
        await TestEngine.Inspector.Containers.InspectContainerAsync(containerId, CancellationToken.None); // it runs

        owner.Kill(); // SIGKILL: no cleanup code of the owner runs

        var clock = Stopwatch.StartNew();
        while (await ExistsAsync(containerId))
        {
            Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(20), "the container outlived its owner by 20 s");
            await Task.Delay(100);
        }
    }

    private static async Task<bool> ExistsAsync(string id)
    {
        try
        {
            await TestEngine.Inspector.Containers.InspectContainerAsync(id, CancellationToken.None);
            return true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
    }
}
