namespace ContainerTest.ContainerRuntime.Backends.Docker.Services;

using System.Collections.Concurrent;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// Where the run's shared services are, by name: on the engine's default bridge (what a gateway on
/// that engine forwards a service's ports to, and the /etc/hosts lines of a job on the open
/// network) and, when the run's workers are on a cluster, also at the ports the engine published
/// them on at the manager's address (what a gateway on another node forwards to). Names not here
/// are resolved as before (on the machine that runs the tests).
/// </summary>
internal sealed class ServiceAddresses
{
    private readonly ConcurrentDictionary<string, ServiceAddress> addresses = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records that service <paramref name="name"/> is at <paramref name="address"/> on the bridge.</summary>
    public void Add(string name, string address) => addresses[name] = new ServiceAddress(address, null, new Dictionary<int, int>());

    /// <summary>
    /// Records that service <paramref name="name"/> is at <paramref name="address"/> on the bridge,
    /// and that each of its ports (the keys of <paramref name="published"/>) is also at
    /// <paramref name="publishedAddress"/>, on the host port that is its value.
    /// </summary>
    public void Add(string name, string address, string publishedAddress, IReadOnlyDictionary<int, int> published) =>
        addresses[name] = new ServiceAddress(address, publishedAddress, published);

    /// <summary>Forgets service <paramref name="name"/>.</summary>
    public void Remove(string name) => addresses.TryRemove(name, out _);

    /// <summary>The bridge address of service <paramref name="host"/>, if it is one.</summary>
    public bool TryGet(string host, out string address)
    {
        var found = addresses.TryGetValue(host, out var service);
        address = service?.Bridge ?? string.Empty;
        return found;
    }

    /// <summary>
    /// Where a gateway on another machine reaches port <paramref name="port"/> of service
    /// <paramref name="host"/>: its published address and host port; false when it is no service,
    /// or not published on that port.
    /// </summary>
    public bool TryGetPublished(string host, int port, out string address, out int publishedPort)
    {
        address = string.Empty;
        publishedPort = 0;
        if (addresses.TryGetValue(host, out var service) && service.PublishedAddress is { } published && service.Published.TryGetValue(port, out publishedPort))
        {
            address = published;
            return true;
        }

        return false;
    }

    /// <summary>Every published port of every service, as the endpoints jobs reach them at.</summary>
    public IReadOnlyList<NetworkEndpoint> PublishedEndpoints =>
        addresses.SelectMany(pair => pair.Value.Published.Keys.Select(port => new NetworkEndpoint(pair.Key, port))).ToList();

    /// <summary>The engine's extra-hosts entries (<c>name:address</c>) for every service.</summary>
    public IReadOnlyList<string> ExtraHosts => addresses.Select(pair => pair.Key + ":" + pair.Value.Bridge).Order(StringComparer.Ordinal).ToList();

    private sealed record ServiceAddress(string Bridge, string? PublishedAddress, IReadOnlyDictionary<int, int> Published);
}
