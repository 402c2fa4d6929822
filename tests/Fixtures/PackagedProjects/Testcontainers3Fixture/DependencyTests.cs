namespace Testcontainers3Fixture;

using Docker.DotNet;
using DotNet.Testcontainers.Builders;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>The project's own Docker.DotNet and Microsoft.Extensions.* are the ones its tests get.</summary>
[TestClass]
public sealed class DependencyTests
{
    /// <summary>
    /// Evaluated during discovery (in the test host, next to ContainerTest's adapter) and again
    /// where the test runs: the test host loads the project's Docker.DotNet before ContainerTest
    /// talks to its engine.
    /// </summary>
    public static IEnumerable<object[]> LoadedVersions =>
    [
        [typeof(DockerClient).Assembly.GetName().Name!, typeof(DockerClient).Assembly.GetName().Version!.ToString()],
        [typeof(NullLogger).Assembly.GetName().Name!, typeof(NullLogger).Assembly.GetName().Version!.ToString()],
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
    public void Docker_DotNet_is_the_3_125_line_Testcontainers_3_brings() =>
        Assert.AreEqual(new Version(3, 125), new Version(typeof(DockerClient).Assembly.GetName().Version!.Major, typeof(DockerClient).Assembly.GetName().Version!.Minor));

    [TestMethod]
    public void Testcontainers_types_load() =>
        Assert.IsNotNull(typeof(ContainerBuilder).GetMethod(nameof(ContainerBuilder.WithImage), [typeof(string)]));
}
