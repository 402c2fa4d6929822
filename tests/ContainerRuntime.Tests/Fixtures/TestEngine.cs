namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using ContainerTest.ContainerRuntime.Backends.Docker;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// The one real Docker Engine every test talks to, the small test image, and the check at the
/// end of the run that no container of ours was left behind.
/// </summary>
[TestClass]
public static class TestEngine
{
    private static DockerBackend? backend;
    private static string? toolboxImage;

    /// <summary>The backend all tests share (one run id for the whole test run).</summary>
    public static DockerBackend Backend => backend ?? throw new InvalidOperationException("The assembly fixture did not run.");

    /// <summary>A tiny image with a static busybox: sh, nc, id, head, tail… and nothing else.</summary>
    public static string ToolboxImage => toolboxImage ?? throw new InvalidOperationException("The assembly fixture did not run.");

    /// <summary>A raw Docker.DotNet client for looking at what the backend did (never for doing its work).</summary>
    public static DockerClient Inspector { get; private set; } = null!;

    [AssemblyInitialize]
    public static async Task InitializeAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        backend = await DockerBackend.ConnectAsync(new DockerBackendOptions { RunId = "tests-" + Guid.NewGuid().ToString("N")[..8] }, context.CancellationToken);
        Inspector = new DockerClientBuilder().Build();
        toolboxImage = await BusyboxImage.EnsureAsync(Inspector, context.CancellationToken);
    }

    [AssemblyCleanup]
    public static async Task CleanupAsync()
    {
        if (backend is null)
        {
            return;
        }

        var runId = backend.RunId;
        await backend.DisposeAsync();
        var leftovers = await ContainersWithLabelAsync(ContainerLabels.RunId, runId);
        var leftoverNetworks = await NetworksWithLabelAsync(ContainerLabels.RunId, runId);
        Inspector.Dispose();
        if (leftovers.Count > 0 || leftoverNetworks.Count > 0)
        {
            throw new InvalidOperationException(
                $"{leftovers.Count} container(s) and {leftoverNetworks.Count} network(s) of test run {runId} were left behind: "
                + string.Join(", ", leftovers.Select(c => c.ID[..12]).Concat(leftoverNetworks.Select(n => n.Name))));
        }
    }

    /// <summary>Every container (running or not) carrying <paramref name="label"/>=<paramref name="value"/>.</summary>
    public static async Task<IList<ContainerListResponse>> ContainersWithLabelAsync(string label, string value) =>
        await Inspector.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{label}={value}"] = true } },
            },
            CancellationToken.None);

    /// <summary>Every network carrying <paramref name="label"/>=<paramref name="value"/>.</summary>
    public static async Task<IList<NetworkResponse>> NetworksWithLabelAsync(string label, string value) =>
        await Inspector.Networks.ListNetworksAsync(
            new NetworksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{label}={value}"] = true } },
            },
            CancellationToken.None);
}
