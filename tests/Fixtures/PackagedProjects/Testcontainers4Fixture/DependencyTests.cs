namespace Testcontainers4Fixture;

using Docker.DotNet;
using DotNet.Testcontainers.Builders;
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
    public void Microsoft_Extensions_is_the_project_s_11_0()
    {
        using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var logger = services.GetRequiredService<ILogger<DependencyTests>>();
        logger.LogInformation("resolved");
        Assert.AreEqual(11, typeof(ServiceCollection).Assembly.GetName().Version!.Major);
        Assert.AreEqual(11, typeof(ILogger).Assembly.GetName().Version!.Major);
    }

    [TestMethod]
    public void Testcontainers_types_load() =>
        Assert.IsNotNull(typeof(ContainerBuilder).GetMethod(nameof(ContainerBuilder.WithImage), [typeof(string)]));
}
