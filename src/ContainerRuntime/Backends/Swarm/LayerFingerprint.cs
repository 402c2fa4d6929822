namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// What a layer holds, cheaply, as a hex string: for a host directory every entry's path, size,
/// time, mode and link target (a walk of a build output costs milliseconds); for a file its
/// content; for a link its target; for a tar archive its size and time. Equal fingerprints mean a
/// layer already baked into a cluster image can be used again.
/// </summary>
internal static class LayerFingerprint
{
    /// <summary>The fingerprint of <paramref name="layer"/>, its place in the image included.</summary>
    public static string Of(Layer layer)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        switch (layer)
        {
            case HostDirectoryLayer directory:
                Add("dir\0" + directory.ContainerPath);
                var root = new DirectoryInfo(directory.HostPath);
                Add(Describe(root, "."));
                foreach (var entry in root.EnumerateFileSystemInfos("*", SearchOption.AllDirectories).OrderBy(e => e.FullName, StringComparer.Ordinal))
                {
                    Add(Describe(entry, Path.GetRelativePath(directory.HostPath, entry.FullName)));
                }

                break;
            case FileLayer file:
                Add(string.Create(CultureInfo.InvariantCulture, $"file\0{file.ContainerPath}\0{file.Mode}"));
                hash.AppendData(file.Content.Span);
                break;
            case SymlinkLayer link:
                Add($"link\0{link.ContainerPath}\0{link.Target}");
                break;
            case TarArchiveLayer tar:
                var archive = new FileInfo(tar.ArchivePath);
                Add(string.Create(CultureInfo.InvariantCulture, $"tar\0{tar.ContainerPath}\0{archive.FullName}\0{archive.Length}\0{archive.LastWriteTimeUtc.Ticks}"));
                break;
            default:
                throw new Errors.InvalidJobSpecException($"Unknown layer kind {layer.GetType().Name}.");
        }

        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private static string Describe(FileSystemInfo entry, string relative)
    {
        var size = entry is FileInfo file ? file.Length : 0;
        var mode = OperatingSystem.IsWindows() ? 0 : (int)entry.UnixFileMode;
        return string.Create(CultureInfo.InvariantCulture, $"{relative}\0{size}\0{entry.LastWriteTimeUtc.Ticks}\0{mode}\0{entry.LinkTarget}");
    }
}
