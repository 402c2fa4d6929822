namespace ContainerTest.TestAdapter.Tests.Fixtures;

using ContainerTest.ContainerRuntime.Docker;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>Containers of ours that a test run left behind, found by the test assembly they ran.</summary>
internal static class LeftoverContainers
{
    public static async Task<int> CountForAsync(string projectPath)
    {
        var name = Path.GetFileNameWithoutExtension(projectPath) + ".dll";
        using var client = new DockerClientBuilder().Build();
        var containers = await client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Kind}=job"] = true } },
            },
            CancellationToken.None);
        return containers.Count(c => c.Labels.TryGetValue("io.containertest.source", out var source) && source.EndsWith("/" + name, StringComparison.Ordinal));
    }
}
