namespace ContainerTest.ContainerRuntime.Backends.Docker;

/// <summary>How to reach the Docker Engine and how to identify this run's containers.</summary>
public sealed record DockerBackendOptions
{
    /// <summary>
    /// The engine's endpoint (<c>unix:///var/run/docker.sock</c>, <c>tcp://host:2375</c>). Null finds it as
    /// the Docker CLI does: DOCKER_HOST, then the current Docker context, then the default socket.
    /// </summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The id put on every container of this run; a new one when null.</summary>
    public string? RunId { get; init; }

    /// <summary>How long to wait for the engine to answer the first request.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The image the gateways of the <c>allow</c> network policy run from: any image with
    /// <c>dotnet</c> (.NET 8 or newer) on its PATH, such as <c>mcr.microsoft.com/dotnet/runtime:8.0</c>.
    /// Null uses the host image, built from this machine's own .NET runtime (Linux only).
    /// </summary>
    public string? GatewayImage { get; init; }
}
