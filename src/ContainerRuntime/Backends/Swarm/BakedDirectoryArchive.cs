namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using System.Formats.Tar;
using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// The tar stream that bakes a host directory into an image at its container path, each entry as
/// the host has it — owner, mode, time, symbolic links — so a worker on a cluster node sees the
/// files exactly as a worker on the test host sees them through a bind mount. Paths are relative
/// to the image's root; missing parents are made by the engine. Sockets (which tar cannot hold)
/// and files this process may not read are left out: a bind mount would show them, but they carry
/// nothing a test could read.
/// </summary>
internal static class BakedDirectoryArchive
{
    /// <summary>Writes <paramref name="layer"/> to <paramref name="destination"/> as a tar stream.</summary>
    public static async Task WriteAsync(Stream destination, HostDirectoryLayer layer, CancellationToken cancellationToken)
    {
        var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            var rootName = layer.ContainerPath.Trim('/');
            await writer.WriteEntryAsync(layer.HostPath, rootName, cancellationToken).ConfigureAwait(false);
            var pending = new Stack<(DirectoryInfo Directory, string Name)>();
            pending.Push((new DirectoryInfo(layer.HostPath), rootName));
            while (pending.Count > 0)
            {
                var (directory, name) = pending.Pop();
                IEnumerable<FileSystemInfo> children;
                try
                {
                    children = directory.EnumerateFileSystemInfos().ToList();
                }
                catch (UnauthorizedAccessException)
                {
                    continue; // its own entry is there, as unreadable as on the host
                }

                foreach (var item in children)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var itemName = name.Length == 0 ? item.Name : name + "/" + item.Name;
                    var isLink = item.LinkTarget is not null;
                    try
                    {
                        await writer.WriteEntryAsync(item.FullName, itemName, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
                    {
                        continue; // unreadable here, gone meanwhile, or a socket (which tar cannot hold)
                    }

                    if (!isLink && item is DirectoryInfo child)
                    {
                        pending.Push((child, itemName));
                    }
                }
            }
        }
    }
}
