namespace ContainerTest.ContainerRuntime.Backends.Docker;

using global::Docker.DotNet.Models;

/// <summary>How a job's container is wired to the network: the mode, extra /etc/hosts lines, endpoint settings.</summary>
internal sealed record NetworkAttachment(string NetworkMode, IReadOnlyList<string> ExtraHosts, IDictionary<string, EndpointSettings>? EndpointsConfig = null)
{
    /// <summary>A network namespace of its own with only the loopback interface.</summary>
    public static NetworkAttachment Isolated { get; } = new("none", []);

    /// <summary>The engine's default bridge: the host, the LAN and the internet.</summary>
    public static NetworkAttachment DefaultBridge { get; } = new("bridge", []);

    /// <summary>DNS servers the engine's resolver forwards to; empty keeps the engine's choice.</summary>
    public IReadOnlyList<string> Dns { get; init; } = [];

    /// <summary>Network sysctls set in the container's namespace (<c>net.*</c>).</summary>
    public IReadOnlyDictionary<string, string> Sysctls { get; init; } = new Dictionary<string, string>();
}
