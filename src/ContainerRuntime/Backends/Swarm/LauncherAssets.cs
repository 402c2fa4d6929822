namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// The launcher (project ClusterLauncher, a framework-dependent .NET program embedded in this
/// assembly at build time), with the allow network policy's forwarder (project NetworkGateway)
/// that the launcher starts beside a worker that needs it, as a layer of the worker image: written once per machine to the
/// runtime cache (a folder named by its content hash) and baked into the image a cluster's nodes
/// pull, at <see cref="Directory"/>.
/// </summary>
internal static class LauncherAssets
{
    /// <summary>Where it is inside the image.</summary>
    public const string Directory = "/.containertest/cluster";

    /// <summary>The launcher's assembly inside the image.</summary>
    public const string Launcher = Directory + "/ContainerTest.ClusterLauncher.dll";

    /// <summary>The forwarder's assembly inside the image.</summary>
    public const string Gateway = Directory + "/ContainerTest.NetworkGateway.dll";

    private static readonly string[] Files =
    [
        "ContainerTest.ClusterLauncher.dll", "ContainerTest.ClusterLauncher.runtimeconfig.json",
        "ContainerTest.NetworkGateway.dll", "ContainerTest.NetworkGateway.runtimeconfig.json",
    ];

    private static readonly Lazy<HostDirectoryLayer?> Cached = new(Extract);

    /// <summary>The folder as a read-only layer; null when this build of ContainerTest lacks the launcher.</summary>
    /// <exception cref="IOException">The runtime cache cannot be written.</exception>
    public static HostDirectoryLayer? Layer => Cached.Value;

    private static HostDirectoryLayer? Extract() =>
        EmbeddedFiles.Extract("cluster/", [.. Files.Select(name => (name, FileLayer.ReadableMode))], "cluster") is { } folder ? new HostDirectoryLayer(folder, Directory) : null;
}
