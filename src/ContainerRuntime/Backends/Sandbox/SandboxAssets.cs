namespace ContainerTest.ContainerRuntime.Backends.Sandbox;

using System.Security.Cryptography;
using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// What a worker container needs beside its image: the supervisor (project SandboxSupervisor, a
/// framework-dependent .NET program) and bubblewrap (static, built from Debian's sources by
/// nuget/native/build.sh), both embedded in this assembly at build time — nothing to stage beside
/// it. They are written once per machine to the runtime cache (a folder named by their content
/// hash) and every worker sees that folder read-only, so starting a worker copies nothing.
/// </summary>
internal static class SandboxAssets
{
    /// <summary>Where they are inside a worker.</summary>
    public const string Directory = "/.containertest/sandbox";

    /// <summary>The supervisor's assembly inside a worker.</summary>
    public const string Supervisor = Directory + "/ContainerTest.SandboxSupervisor.dll";

    /// <summary>A tmpfs of the worker for each job's small files (its /etc/hostname and /etc/hosts).</summary>
    public const string Scratch = "/.containertest/scratch";

    private static readonly (string Name, UnixFileMode Mode)[] Files =
    [
        ("ContainerTest.SandboxSupervisor.dll", (UnixFileMode)FileLayer.ReadableMode),
        ("ContainerTest.SandboxSupervisor.runtimeconfig.json", (UnixFileMode)FileLayer.ReadableMode),
        ("bwrap", (UnixFileMode)FileLayer.ExecutableMode),
    ];

    private static readonly Lazy<HostDirectoryLayer?> Cached = new(Extract);

    /// <summary>The folder as a read-only layer of a worker; null when this build of ContainerTest lacks one of the files.</summary>
    /// <exception cref="IOException">The runtime cache cannot be written.</exception>
    public static HostDirectoryLayer? Layer => Cached.Value;

    /// <summary>Why <see cref="Layer"/> is null, for the message that says sandboxes cannot be had.</summary>
    public static string Missing =>
        "this build of ContainerTest carries no sandbox helper (bubblewrap): it was built without nuget/native/build.sh having run. "
        + "Build ContainerTest with ./build.sh pack (or run nuget/native/build.sh before building).";

    private static HostDirectoryLayer? Extract()
    {
        var contents = new List<(string Name, UnixFileMode Mode, byte[] Bytes)>();
        foreach (var (name, mode) in Files)
        {
            using var resource = typeof(SandboxAssets).Assembly.GetManifestResourceStream("sandbox/" + name);
            if (resource is null)
            {
                return null;
            }

            using var bytes = new MemoryStream();
            resource.CopyTo(bytes);
            contents.Add((name, mode, bytes.ToArray()));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, _, bytes) in contents)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            hash.AppendData(bytes);
        }

        var folder = Path.Combine(RuntimeCache.Root, "sandbox", Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant());
        if (!System.IO.Directory.Exists(folder))
        {
            // Written beside and renamed into place: a folder that exists is complete.
            var staging = folder + "." + Guid.NewGuid().ToString("N")[..8];
            System.IO.Directory.CreateDirectory(staging);
            foreach (var (name, mode, bytes) in contents)
            {
                var path = Path.Combine(staging, name);
                File.WriteAllBytes(path, bytes);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, mode); // (a Windows folder reaches a Linux engine's containers with every file executable)
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
