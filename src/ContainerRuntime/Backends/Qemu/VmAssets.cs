namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Runtime.Versioning;
using System.Security.Cryptography;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// The two static programs of ours a VM needs, embedded in this assembly at build time
/// (nuget/native/build.sh compiles them from nuget/native/vm/): the init that is PID 1 of every VM,
/// and the launcher that ties each QEMU process to the test host's life. They are written once per
/// machine to the runtime cache, in a folder named by their content hash.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed record VmAssets(string Init, string Launcher)
{
    private static readonly Lazy<VmAssets?> Cached = new(Extract);

    /// <summary>The programs, or null when this build of ContainerTest lacks them.</summary>
    public static VmAssets? Find() => Cached.Value;

    /// <summary>The programs.</summary>
    /// <exception cref="BackendUnavailableException">This build of ContainerTest carries them not.</exception>
    public static VmAssets Require() => Find() ?? throw new BackendUnavailableException(
        "This build of ContainerTest carries no VM init (containertest-vminit): it was built without nuget/native/build.sh having run. Build ContainerTest with ./build.sh pack (or run nuget/native/build.sh before building).",
        RetryClass.NotRetryable);

    private static VmAssets? Extract()
    {
        var contents = new List<(string Name, byte[] Bytes)>();
        foreach (var name in new[] { "containertest-vminit", "containertest-vmlaunch" })
        {
            using var resource = typeof(VmAssets).Assembly.GetManifestResourceStream("qemu/" + name);
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

        var folder = Path.Combine(RuntimeCache.Root, "qemu", "bin-" + Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant());
        if (!Directory.Exists(folder))
        {
            var staging = folder + "." + Guid.NewGuid().ToString("N")[..8];
            Directory.CreateDirectory(staging);
            foreach (var (name, bytes) in contents)
            {
                var path = Path.Combine(staging, name);
                File.WriteAllBytes(path, bytes);
                File.SetUnixFileMode(path, (UnixFileMode)Layers.FileLayer.ExecutableMode);
            }

            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                Directory.Delete(staging, recursive: true); // another run wrote it first
            }
        }

        return new VmAssets(Path.Combine(folder, "containertest-vminit"), Path.Combine(folder, "containertest-vmlaunch"));
    }
}
