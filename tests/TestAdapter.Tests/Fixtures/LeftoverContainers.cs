namespace ContainerTest.TestAdapter.Tests.Fixtures;

using ContainerTest.ContainerRuntime;
using ContainerTest.ContainerRuntime.Backends.Docker;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>Containers of ours (a test's own, or a sandbox worker) that a test run left behind, found by the test assembly they ran.</summary>
internal static class LeftoverContainers
{
    public static async Task<int> CountForAsync(string projectPath) => (await ForAsync(projectPath)).Count;

    /// <summary>One line per leftover (id, state, status, run and job labels), for an assertion's message.</summary>
    public static async Task<string> DescribeForAsync(string projectPath) =>
        string.Join("; ", (await ForAsync(projectPath)).Select(c =>
            $"{c.ID[..12]} {c.State} ({c.Status}) run {Label(c, ContainerLabels.RunId)} job {Label(c, ContainerLabels.JobId)} owner pid {Label(c, ContainerLabels.OwnerProcessId)}"));

    private static string Label(ContainerListResponse container, string label) =>
        container.Labels.TryGetValue(label, out var value) ? value : "-";

    private static async Task<List<ContainerListResponse>> ForAsync(string projectPath)
    {
        var name = Path.GetFileNameWithoutExtension(projectPath) + ".dll";
        using var client = new DockerClientBuilder().Build();
        var containers = await client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Managed}=true"] = true } },
            },
            CancellationToken.None);
        return containers
            .Where(c => c.Labels.TryGetValue(ContainerLabels.Kind, out var kind) && kind is ContainerLabels.JobKind or ContainerLabels.WorkerKind)
            .Where(c => c.Labels.TryGetValue("io.containertest.source", out var source) && source.EndsWith("/" + name, StringComparison.Ordinal))
            .ToList();
    }
}
