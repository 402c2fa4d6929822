namespace ContainerTest.Cli.Tests.Fixtures;

using System.Globalization;
using ContainerTest.ContainerRuntime;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// What the run of one process (the tool) has on the engine, found by label and never by
/// counting: its run is that of the containers whose owner (or, for its reaper, guarded) process
/// it is on this machine; the run's resources are the containers, networks and volumes labelled
/// with the run's id.
/// </summary>
internal sealed class RunOfProcess(int processId)
{
    private readonly HashSet<string> runIds = [];

    /// <summary>The process's runs found so far.</summary>
    public IReadOnlyCollection<string> RunIds => runIds;

    /// <summary>One line per resource ("container 1a2b3c4d5e6f running worker").</summary>
    public async Task<IReadOnlyList<string>> ListAsync()
    {
        using var client = new DockerClientBuilder().Build();
        var pid = processId.ToString(CultureInfo.InvariantCulture);
        foreach (var label in new[] { ContainerLabels.OwnerProcessId, ContainerLabels.GuardedProcessId })
        {
            var filter = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{label}={pid}"] = true, [$"{ContainerLabels.OwnerHost}={Environment.MachineName}"] = true },
            };
            foreach (var container in await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter }, CancellationToken.None))
            {
                if (container.Labels.TryGetValue(ContainerLabels.RunId, out var run))
                {
                    runIds.Add(run);
                }
            }
        }

        var found = new List<string>();
        foreach (var run in runIds)
        {
            var ofRun = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.RunId}={run}"] = true } };
            found.AddRange((await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = ofRun }, CancellationToken.None))
                .Select(c => $"container {c.ID[..12]} {c.State} {(c.Labels.TryGetValue(ContainerLabels.Kind, out var kind) ? kind : "?")}"));
            found.AddRange((await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = ofRun }, CancellationToken.None)).Select(n => $"network {n.Name}"));
            found.AddRange(((await client.Volumes.ListAsync(new VolumesListParameters { Filters = ofRun }, CancellationToken.None)).Volumes ?? []).Select(v => $"volume {v.Name}"));
        }

        return found;
    }

    /// <summary>Waits until the run has nothing left; fails naming what is left when <paramref name="limit"/> after <paramref name="since"/> passes first.</summary>
    public async Task<TimeSpan> WaitUntilNothingLeftAsync(DateTimeOffset since, TimeSpan limit, string context)
    {
        while (true)
        {
            var left = await ListAsync();
            var waited = DateTimeOffset.UtcNow - since;
            if (left.Count == 0)
            {
                return waited;
            }

            if (waited > limit)
            {
                Assert.Fail($"{context}: {waited.TotalSeconds:0.0} s after the kill, still there: {string.Join("; ", left)}");
            }

            await Task.Delay(250);
        }
    }
}
