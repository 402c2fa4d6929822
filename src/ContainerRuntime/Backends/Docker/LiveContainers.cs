namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Collections.Concurrent;

/// <summary>The containers a backend created and has not yet removed, so disposal can remove the rest.</summary>
internal sealed class LiveContainers
{
    private readonly ConcurrentDictionary<string, byte> ids = new(StringComparer.Ordinal);

    public void Add(string id) => ids.TryAdd(id, 0);

    public void Remove(string id) => ids.TryRemove(id, out _);

    public IReadOnlyCollection<string> Snapshot() => ids.Keys.ToArray();
}
