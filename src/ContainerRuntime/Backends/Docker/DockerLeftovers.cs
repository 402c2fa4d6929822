namespace ContainerTest.ContainerRuntime.Backends.Docker;

using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>What ContainerTest left on an engine: containers, networks and images carrying its labels (a Swarm's services and secrets: <see cref="Swarm.SwarmLeftovers"/>).</summary>
internal static class DockerLeftovers
{
    // Set by the Swarm on every container of a service's task.
    private const string SwarmTaskLabel = "com.docker.swarm.task.id";

    /// <summary>Finds everything carrying <see cref="ContainerLabels.Managed"/> on the engine of <paramref name="client"/>.</summary>
    public static async Task<IReadOnlyList<Leftover>> FindAsync(IDockerClient client, CancellationToken cancellationToken = default)
    {
        var managed = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Managed}=true"] = true } };
        var items = new List<Leftover>();
        foreach (var container in await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = managed }, cancellationToken).ConfigureAwait(false))
        {
            if (container.Labels?.ContainsKey(SwarmTaskLabel) == true)
            {
                continue; // a cluster worker's task: its service is what goes (the Swarm would start another)
            }

            items.Add(new Leftover(
                LeftoverKind.Container,
                container.ID,
                string.Join(',', container.Names ?? []).TrimStart('/'),
                $"{container.State}, {Describe(container.Labels)}",
                OwnerProcess.IsAlive(container.Labels) || IsWorkingReaper(container)));
        }

        foreach (var network in await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = managed }, cancellationToken).ConfigureAwait(false))
        {
            items.Add(new Leftover(LeftoverKind.Network, network.ID, network.Name, Describe(network.Labels), OwnerProcess.IsAlive(network.Labels)));
        }

        foreach (var image in await client.Images.ListImagesAsync(new ImagesListParameters { Filters = managed }, cancellationToken).ConfigureAwait(false))
        {
            var tags = image.RepoTags is { Count: > 0 } ? string.Join(',', image.RepoTags) : "<untagged>";
            items.Add(new Leftover(LeftoverKind.Image, image.ID, tags, $"{image.Size / (1024 * 1024)} MB", OwnerAlive: false));
        }

        return items;
    }

    /// <summary>Removes every leftover whose owner is not a live process on this machine (containers first: networks and images are in use until they go).</summary>
    /// <returns>The items removed.</returns>
    public static async Task<IReadOnlyList<Leftover>> RemoveAsync(IDockerClient client, IEnumerable<Leftover> items, CancellationToken cancellationToken = default)
    {
        var removed = new List<Leftover>();
        foreach (var item in items.Where(i => !i.OwnerAlive && i.Kind is LeftoverKind.Container or LeftoverKind.Network or LeftoverKind.Image).OrderBy(i => i.Kind))
        {
            try
            {
                switch (item.Kind)
                {
                    case LeftoverKind.Container:
                        await client.Containers.RemoveContainerAsync(item.Id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken).ConfigureAwait(false);
                        break;
                    case LeftoverKind.Network:
                        await client.Networks.DeleteNetworkAsync(item.Id, cancellationToken).ConfigureAwait(false);
                        break;
                    case LeftoverKind.Image:
                        await client.Images.DeleteImageAsync(item.Id, new ImageDeleteParameters { Force = true }, cancellationToken).ConfigureAwait(false);
                        break;
                }

                removed.Add(item);
            }
            catch (DockerApiException)
            {
                // Gone already, or still in use by something that is not ours: leave it.
            }
        }

        return removed;
    }

    /// <summary>A resource's kind and run, from its labels, for people (<c>kind worker, run 20261130-…</c>).</summary>
    internal static string Describe(IDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return string.Empty;
        }

        labels.TryGetValue(ContainerLabels.Kind, out var kind);
        labels.TryGetValue(ContainerLabels.RunId, out var run);
        return $"kind {kind ?? "?"}, run {run ?? "?"}";
    }

    /// <summary>A run's reaper that runs: it removes its run's resources, then itself, within seconds of its run's end.</summary>
    private static bool IsWorkingReaper(ContainerListResponse container) =>
        container.State == "running"
        && container.Labels is { } labels
        && labels.TryGetValue(ContainerLabels.Kind, out var kind)
        && kind == Reaper.ReaperProtocol.KindLabelValue;
}
