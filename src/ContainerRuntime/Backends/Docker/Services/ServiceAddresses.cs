namespace ContainerTest.ContainerRuntime.Backends.Docker.Services;

using System.Collections.Concurrent;

/// <summary>
/// Where the run's shared services are on the engine's default bridge, by name: what an
/// allow-list gateway forwards a service's ports to, and the /etc/hosts lines of a job on the open
/// network. Names not here are resolved as before (on the machine that runs the tests).
/// </summary>
internal sealed class ServiceAddresses
{
    private readonly ConcurrentDictionary<string, string> addresses = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records that service <paramref name="name"/> is at <paramref name="address"/>.</summary>
    public void Add(string name, string address) => addresses[name] = address;

    /// <summary>Forgets service <paramref name="name"/>.</summary>
    public void Remove(string name) => addresses.TryRemove(name, out _);

    /// <summary>The address of service <paramref name="host"/>, if it is one.</summary>
    public bool TryGet(string host, out string address) => addresses.TryGetValue(host, out address!);

    /// <summary>The engine's extra-hosts entries (<c>name:address</c>) for every service.</summary>
    public IReadOnlyList<string> ExtraHosts => addresses.Select(pair => pair.Key + ":" + pair.Value).Order(StringComparer.Ordinal).ToList();
}
