namespace OldExtensionsFixture;

using Docker.DotNet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>The project's own Docker.DotNet and Microsoft.Extensions.* are the ones its tests get.</summary>
[TestClass]
public sealed class DependencyTests
{
    public static IEnumerable<object[]> LoadedVersions =>
    [
        [typeof(DockerClient).Assembly.GetName().Name!, typeof(DockerClient).Assembly.GetName().Version!.ToString()],
        [typeof(ILogger).Assembly.GetName().Name!, typeof(ILogger).Assembly.GetName().Version!.ToString()],
        [typeof(ServiceCollection).Assembly.GetName().Name!, typeof(ServiceCollection).Assembly.GetName().Version!.ToString()],
    ];

    [TestMethod]
    [DynamicData(nameof(LoadedVersions))]
    public void The_project_s_own_copy_is_loaded(string assembly, string version)
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == assembly);
        Assert.AreEqual(version, loaded.GetName().Version!.ToString());
        Assert.AreEqual(Path.Combine(AppContext.BaseDirectory, assembly + ".dll"), loaded.Location);
    }

    [TestMethod]
    public void Microsoft_Extensions_is_the_project_s_2_1()
    {
        using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        services.GetRequiredService<ILogger<DependencyTests>>().LogInformation("resolved");
        Assert.AreEqual(new Version(2, 1, 0, 0), typeof(ServiceCollection).Assembly.GetName().Version);
        Assert.AreEqual(new Version(2, 1, 0, 0), typeof(ILogger).Assembly.GetName().Version);
    }

    [TestMethod]
    public void Docker_DotNet_3_125_makes_its_client()
    {
        using var configuration = new DockerClientConfiguration(new Uri("unix:///nonexistent.sock"));
        using var client = configuration.CreateClient();
        Assert.AreEqual(new Uri("unix:///nonexistent.sock"), configuration.EndpointBaseUri);
    }
}
