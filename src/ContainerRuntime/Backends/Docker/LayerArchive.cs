namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Formats.Tar;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// Writes the tar stream that copies one layer into a created (not yet started) container.
/// Paths are relative to the container's root. Files a job should be able to change are owned
/// by the job's user; generated files and links by root.
/// </summary>
internal static class LayerArchive
{
    private const UnixFileMode DirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    // fromRoot: paths relative to the container's root (extracted at "/", parents created as
    // needed) rather than to the layer's parent directory (which must then exist).
    public static async Task WriteAsync(Stream destination, Layer layer, UserIdentity? owner, bool fromRoot, CancellationToken cancellationToken)
    {
        var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            switch (layer)
            {
                case HostDirectoryLayer directory:
                    await WriteDirectoryTreeAsync(writer, directory, owner ?? UserIdentity.Root, fromRoot, cancellationToken).ConfigureAwait(false);
                    break;
                case FileLayer file:
                    var entry = new PaxTarEntry(TarEntryType.RegularFile, Relative(file.ContainerPath))
                    {
                        Mode = (UnixFileMode)file.Mode,
                        ModificationTime = DateTimeOffset.UtcNow,
                        DataStream = new MemoryStream(file.Content.ToArray(), writable: false),
                    };
                    await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                    break;
                case SymlinkLayer link:
                    await writer.WriteEntryAsync(
                        new PaxTarEntry(TarEntryType.SymbolicLink, Relative(link.ContainerPath)) { LinkName = link.Target, ModificationTime = DateTimeOffset.UtcNow },
                        cancellationToken).ConfigureAwait(false);
                    break;
                case TarArchiveLayer tar:
                    // The archive itself is sent as it is; this stream only makes sure its target directory exists.
                    await writer.WriteEntryAsync(Directory(Relative(tar.ContainerPath), DirectoryMode, UserIdentity.Root), cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new Errors.InvalidJobSpecException($"Unknown layer kind {layer.GetType().Name}.");
            }
        }
    }

    private static async Task WriteDirectoryTreeAsync(TarWriter writer, HostDirectoryLayer layer, UserIdentity owner, bool fromRoot, CancellationToken cancellationToken)
    {
        // Written relative to the layer's parent directory, the layer's own directory first: it is
        // extracted into the layer's volume, and the entry for the directory itself gives the
        // volume's root its owner (an entry for "." would be skipped).
        var root = new DirectoryInfo(layer.HostPath);
        var rootName = fromRoot ? Relative(layer.ContainerPath) : Path.GetFileName(layer.ContainerPath.TrimEnd('/'));
        await writer.WriteEntryAsync(Directory(rootName, root.UnixFileMode, owner), cancellationToken).ConfigureAwait(false);
        var pending = new Stack<(DirectoryInfo Directory, string Name)>();
        pending.Push((root, rootName));
        while (pending.Count > 0)
        {
            var (directory, name) = pending.Pop();
            foreach (var item in directory.EnumerateFileSystemInfos())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var itemName = name.Length == 0 ? item.Name : name + "/" + item.Name;
                if (item.LinkTarget is { } target)
                {
                    await writer.WriteEntryAsync(
                        new PaxTarEntry(TarEntryType.SymbolicLink, itemName) { LinkName = target, Uid = owner.Uid, Gid = owner.Gid, ModificationTime = item.LastWriteTimeUtc },
                        cancellationToken).ConfigureAwait(false);
                }
                else if (item is DirectoryInfo child)
                {
                    await writer.WriteEntryAsync(Directory(itemName, child.UnixFileMode, owner), cancellationToken).ConfigureAwait(false);
                    pending.Push((child, itemName));
                }
                else if (item is FileInfo file)
                {
                    var content = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: true);
                    await using (content.ConfigureAwait(false))
                    {
                        var entry = new PaxTarEntry(TarEntryType.RegularFile, itemName)
                        {
                            Mode = file.UnixFileMode,
                            Uid = owner.Uid,
                            Gid = owner.Gid,
                            ModificationTime = file.LastWriteTimeUtc,
                            DataStream = content,
                        };
                        await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    private static PaxTarEntry Directory(string name, UnixFileMode mode, UserIdentity owner) =>
        new(TarEntryType.Directory, name.Length == 0 ? "./" : name + "/")
        {
            Mode = mode,
            Uid = owner.Uid,
            Gid = owner.Gid,
            ModificationTime = DateTimeOffset.UtcNow,
        };

    private static string Relative(string containerPath) => containerPath.Trim('/');
}
