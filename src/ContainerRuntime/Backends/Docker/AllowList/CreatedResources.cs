namespace ContainerTest.ContainerRuntime.Backends.Docker.AllowList;

using System.Collections.Concurrent;

/// <summary>
/// Every gateway container and network the allow-list machinery created and has not removed,
/// so that disposal removes them all — whatever state the route that owns them is in.
/// </summary>
internal sealed class CreatedResources
{
    private readonly ConcurrentDictionary<string, byte> containers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> networks = new(StringComparer.Ordinal);

    public void AddContainer(string id) => containers.TryAdd(id, 0);

    public void RemoveContainer(string id) => containers.TryRemove(id, out _);

    public void AddNetwork(string id) => networks.TryAdd(id, 0);

    public void RemoveNetwork(string id) => networks.TryRemove(id, out _);

    public IReadOnlyCollection<string> Containers() => containers.Keys.ToArray();

    public IReadOnlyCollection<string> Networks() => networks.Keys.ToArray();
}
