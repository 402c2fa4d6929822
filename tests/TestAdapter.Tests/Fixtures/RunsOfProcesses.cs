namespace ContainerTest.TestAdapter.Tests.Fixtures;

using System.Globalization;
using ContainerTest.ContainerRuntime;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// What the runs of some processes (a <c>dotnet test</c>'s process group) have on the engine,
/// found by label and never by counting: their runs are those of the containers whose owner (or,
/// for a reaper, guarded) process is one of them on this machine; a run's resources are the
/// containers, networks and volumes labelled with its id. Other engineers' and other tests' runs
/// are never looked at.
/// </summary>
internal sealed class RunsOfProcesses(IReadOnlySet<int> processes)
{
    private readonly HashSet<string> runIds = [];

    /// <summary>The runs found so far.</summary>
    public IReadOnlyCollection<string> RunIds => runIds;

    /// <summary>One line per resource the runs have now ("container 1a2b3c4d5e6f created job run …").</summary>
    public async Task<IReadOnlyList<string>> ListAsync()
    {
        using var client = new DockerClientBuilder().Build();
        var managed = Filter($"{ContainerLabels.Managed}=true");
        foreach (var container in await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = managed }, CancellationToken.None))
        {
            if (IsOurs(container.Labels) && container.Labels.TryGetValue(ContainerLabels.RunId, out var run))
            {
                runIds.Add(run);
            }
        }

        var found = new List<string>();
        foreach (var run in runIds)
        {
            var ofRun = Filter($"{ContainerLabels.RunId}={run}");
            found.AddRange((await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = ofRun }, CancellationToken.None))
                .Select(c => $"container {c.ID[..12]} {c.State} {Label(c.Labels, ContainerLabels.Kind)} run {run}"));
            found.AddRange((await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = ofRun }, CancellationToken.None))
                .Select(n => $"network {n.Name} run {run}"));
            found.AddRange(((await client.Volumes.ListAsync(new VolumesListParameters { Filters = ofRun }, CancellationToken.None)).Volumes ?? [])
                .Select(v => $"volume {v.Name[..Math.Min(12, v.Name.Length)]} run {run}"));
        }

        return found;
    }

    /// <summary>Waits until the runs have nothing left; fails naming what is left when <paramref name="limit"/> after <paramref name="since"/> passes first.</summary>
    /// <returns>How long after <paramref name="since"/> nothing was left.</returns>
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
                Assert.Fail($"{context}: {waited.TotalSeconds:0.0} s later, still there: {string.Join("; ", left)}");
            }

            await Task.Delay(250);
        }
    }

    private static Dictionary<string, IDictionary<string, bool>> Filter(string label) =>
        new() { ["label"] = new Dictionary<string, bool> { [label] = true } };

    private static string Label(IDictionary<string, string> labels, string name) => labels.TryGetValue(name, out var value) ? value : "-";

    private bool IsOurs(IDictionary<string, string> labels) =>
        labels.TryGetValue(ContainerLabels.OwnerHost, out var host) && host == Environment.MachineName
        && ((labels.TryGetValue(ContainerLabels.OwnerProcessId, out var owner) && IsOneOf(owner))
            || (labels.TryGetValue(ContainerLabels.GuardedProcessId, out var guarded) && IsOneOf(guarded)));

    private bool IsOneOf(string pid) =>
        int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && processes.Contains(id);
}
