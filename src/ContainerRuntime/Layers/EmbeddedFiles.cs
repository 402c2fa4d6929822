namespace ContainerTest.ContainerRuntime.Layers;

using System.Security.Cryptography;

/// <summary>
/// Programs of ours embedded in this assembly at build time (the sandbox supervisor and bubblewrap,
/// the cluster launcher, the VM init and launcher), written once per machine to a folder of the
/// runtime cache named by their content hash (<c>&lt;cache&gt;/&lt;area&gt;/&lt;prefix&gt;&lt;16 hex digits&gt;</c>).
/// The folder is written beside and renamed into place, so a folder that exists is complete, and
/// runs that race each keep one whole copy.
/// </summary>
internal static class EmbeddedFiles
{
    /// <summary>
    /// The cache folder holding <paramref name="files"/> (resources <c>&lt;resourcePrefix&gt;&lt;name&gt;</c>),
    /// each with its mode; null when this build of ContainerTest lacks one of them.
    /// </summary>
    /// <exception cref="IOException">The runtime cache cannot be written.</exception>
    public static string? Extract(string resourcePrefix, IReadOnlyList<(string Name, int Mode)> files, string area, string folderPrefix = "")
    {
        var contents = new List<(string Name, int Mode, byte[] Bytes)>();
        foreach (var (name, mode) in files)
        {
            using var resource = typeof(EmbeddedFiles).Assembly.GetManifestResourceStream(resourcePrefix + name);
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

        var folder = Path.Combine(RuntimeCache.Root, area, folderPrefix + Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant());
        if (Directory.Exists(folder))
        {
            return folder;
        }

        var staging = folder + "." + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        foreach (var (name, mode, bytes) in contents)
        {
            var path = Path.Combine(staging, name);
            File.WriteAllBytes(path, bytes);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (UnixFileMode)mode); // (a Windows folder reaches a Linux engine's containers with every file executable)
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(staging, (UnixFileMode)FileLayer.ExecutableMode);
        }

        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            Directory.Delete(staging, recursive: true); // another run wrote it first
        }

        return folder;
    }
}
