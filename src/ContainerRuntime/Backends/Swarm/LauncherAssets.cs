namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using System.Security.Cryptography;
using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// The launcher (project ClusterLauncher, a framework-dependent .NET program embedded in this
/// assembly at build time) as a layer of the worker image: written once per machine to the
/// runtime cache (a folder named by its content hash) and baked into the image a cluster's nodes
/// pull, at <see cref="Directory"/>.
/// </summary>
internal static class LauncherAssets
{
    /// <summary>Where it is inside the image.</summary>
    public const string Directory = "/.containertest/cluster";

    /// <summary>The launcher's assembly inside the image.</summary>
    public const string Launcher = Directory + "/ContainerTest.ClusterLauncher.dll";

    private static readonly string[] Files = ["ContainerTest.ClusterLauncher.dll", "ContainerTest.ClusterLauncher.runtimeconfig.json"];

    private static readonly Lazy<HostDirectoryLayer?> Cached = new(Extract);

    /// <summary>The folder as a read-only layer; null when this build of ContainerTest lacks the launcher.</summary>
    /// <exception cref="IOException">The runtime cache cannot be written.</exception>
    public static HostDirectoryLayer? Layer => Cached.Value;

    private static HostDirectoryLayer? Extract()
    {
        var contents = new List<(string Name, byte[] Bytes)>();
        foreach (var name in Files)
        {
            using var resource = typeof(LauncherAssets).Assembly.GetManifestResourceStream("cluster/" + name);
            if (resource is null)
            {
                return null;
            }

            using var bytes = new MemoryStream();
            resource.CopyTo(bytes);
            contents.Add((name, bytes.ToArray()));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, bytes) in contents)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            hash.AppendData(bytes);
        }

        var folder = Path.Combine(RuntimeCache.Root, "cluster", Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant());
        if (!System.IO.Directory.Exists(folder))
        {
            // Written beside and renamed into place: a folder that exists is complete.
            var staging = folder + "." + Guid.NewGuid().ToString("N")[..8];
            System.IO.Directory.CreateDirectory(staging);
            foreach (var (name, bytes) in contents)
            {
                var path = Path.Combine(staging, name);
                File.WriteAllBytes(path, bytes);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, (UnixFileMode)FileLayer.ReadableMode);
                }
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(staging, (UnixFileMode)FileLayer.ExecutableMode);
            }

            try
            {
                System.IO.Directory.Move(staging, folder);
            }
            catch (IOException) when (System.IO.Directory.Exists(folder))
            {
                System.IO.Directory.Delete(staging, recursive: true); // another run wrote it first
            }
        }

        return new HostDirectoryLayer(folder, Directory);
    }
}
