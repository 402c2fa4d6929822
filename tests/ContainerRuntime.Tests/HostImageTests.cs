namespace ContainerTest.ContainerRuntime.Tests;

using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Network;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

/// <summary>The image built from this machine's own .NET: no registry needed, runs .NET apps as non-root with no network.</summary>
[TestClass]
public sealed class HostImageTests
{
    private static readonly UserIdentity NonRoot = new(1000, 1000);

    [TestMethod]
    public async Task Dotnet_info_runs_as_non_root_with_no_network()
    {
        var image = await TestEngine.Backend.EnsureHostImageAsync();

        var result = await new JobSpec { Image = image, Command = ["dotnet", "--info"], User = NonRoot, Network = NetworkPolicy.None }.RunAsync();

        Assert.AreEqual(0, result.ExitCode, result.Stderr.Text);
        StringAssert.Contains(result.Stdout.Text, "Microsoft.NETCore.App " + Environment.Version.ToString(3));
    }

    [TestMethod]
    public async Task A_framework_dependent_app_runs_with_globalization_and_crypto()
    {
        var image = await TestEngine.Backend.EnsureHostImageAsync();
        var app = Path.GetDirectoryName(typeof(HostImageProbe.Program).Assembly.Location)!;

        var result = await new JobSpec
        {
            Image = image,
            Command = ["dotnet", "/app/HostImageProbe.dll"],
            Layers = [new HostDirectoryLayer(app, "/app")],
            User = NonRoot,
            Network = NetworkPolicy.None,
            Mounts = [new TmpfsMount("/tmp", 16 * 1024 * 1024)],
        }.RunAsync();

        Assert.AreEqual(0, result.ExitCode, result.Stderr.Text);
        StringAssert.Contains(result.Stdout.Text, "uid=1000");
        StringAssert.Contains(result.Stdout.Text, "de-DE: 5. März 2024");
        StringAssert.Contains(result.Stdout.Text, "sha256: ba7816bf");
    }

    [TestMethod]
    public async Task The_image_is_built_once_and_reused()
    {
        var first = await TestEngine.Backend.EnsureHostImageAsync();
        var second = await TestEngine.Backend.EnsureHostImageAsync();

        Assert.AreEqual(first, second);
        StringAssert.StartsWith(first, "containertest/host-runtime:");
    }
}
