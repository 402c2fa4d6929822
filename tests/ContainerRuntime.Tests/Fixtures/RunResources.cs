namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using global::Docker.DotNet.Models;

/// <summary>What one run has on the engine: containers (with their state and kind), networks and volumes labelled with its id.</summary>
internal static class RunResources
{
    /// <summary>One line per resource of <paramref name="runId"/> ("container 1a2b3c4d5e6f created job"); empty when nothing is left.</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(string runId)
    {
        var label = $"{ContainerLabels.RunId}={runId}";
        var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } };
        var containers = await TestEngine.Inspector.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter }, CancellationToken.None);
        var networks = await TestEngine.Inspector.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }, CancellationToken.None);
        var volumes = await TestEngine.Inspector.Volumes.ListAsync(new VolumesListParameters { Filters = filter }, CancellationToken.None);
        return containers.Select(c => $"container {c.ID[..12]} {c.State} {(c.Labels.TryGetValue(ContainerLabels.Kind, out var kind) ? kind : "?")}")
            .Concat(networks.Select(n => $"network {n.Name}"))
            .Concat((volumes.Volumes ?? []).Select(v => $"volume {v.Name[..Math.Min(12, v.Name.Length)]}"))
            .ToList();
    }

    /// <summary>Waits until nothing of <paramref name="runId"/> is left; fails naming what is when <paramref name="limit"/> passes first.</summary>
    /// <returns>How long it took.</returns>
    public static async Task<TimeSpan> WaitUntilGoneAsync(string runId, DateTimeOffset since, TimeSpan limit, string context)
    {
        while (true)
        {
            var left = await ListAsync(runId);
            var waited = DateTimeOffset.UtcNow - since;
            if (left.Count == 0)
            {
                return waited;
            }

            if (waited > limit)
            {
                Assert.Fail($"{context}: {waited.TotalSeconds:0.0} s after run {runId} was killed, it still has: {string.Join(", ", left)}");
            }

            await Task.Delay(250);
        }
    }
}
