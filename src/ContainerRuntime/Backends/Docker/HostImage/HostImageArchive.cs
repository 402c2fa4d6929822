namespace ContainerTest.ContainerRuntime.Backends.Docker.HostImage;

using System.Formats.Tar;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// Writes a <see cref="HostImageFileSet"/> as a tar stream: the root filesystem that
/// <c>docker import</c> turns into the host image. Owners and modes come from the entries (root
/// unless said otherwise; host modes kept); directories come before their contents.
/// </summary>
/// <remarks>
/// GNU format, not PAX: .NET names each PAX extended header <c>PaxHeaders.&lt;process id&gt;</c>,
/// so the same files would give a different layer in every process, and two processes racing to
/// build the image would store two copies. With GNU headers and fixed access/change times the
/// bytes depend only on the entries and the files' contents.
/// </remarks>
internal static class HostImageArchive
{
    /// <summary>Writes the archive to <paramref name="destination"/> (left open).</summary>
    public static async Task WriteAsync(Stream destination, HostImageFileSet set, CancellationToken cancellationToken)
    {
        var writer = new TarWriter(destination, TarEntryFormat.Gnu, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var entry in set.Entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (entry.Kind)
                {
                    case HostImageEntryKind.Directory:
                        await writer.WriteEntryAsync(Header(TarEntryType.Directory, entry.Path + "/", entry), cancellationToken).ConfigureAwait(false);
                        break;
                    case HostImageEntryKind.Symlink:
                        var link = Header(TarEntryType.SymbolicLink, entry.Path, entry);
                        link.LinkName = entry.LinkTarget!;
                        await writer.WriteEntryAsync(link, cancellationToken).ConfigureAwait(false);
                        break;
                    case HostImageEntryKind.GeneratedFile:
                        var generated = Header(TarEntryType.RegularFile, entry.Path, entry);
                        generated.DataStream = new MemoryStream(entry.Content.ToArray(), writable: false);
                        await writer.WriteEntryAsync(generated, cancellationToken).ConfigureAwait(false);
                        break;
                    case HostImageEntryKind.HostFile:
                        await WriteHostFileAsync(writer, entry, cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
        }
    }

    private static async Task WriteHostFileAsync(TarWriter writer, HostImageEntry entry, CancellationToken cancellationToken)
    {
        var content = new FileStream(entry.HostPath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true);
        await using (content.ConfigureAwait(false))
        {
            // The tag promises this size and mtime; a file replaced meanwhile (a package update
            // during the build) would give an image that does not match its tag.
            var now = new FileInfo(entry.HostPath!);
            if (content.Length != entry.Size || now.LastWriteTimeUtc != entry.ModificationTime)
            {
                throw new ContainerRuntimeException(
                    $"'{entry.HostPath}' changed while the host image was being built (was the .NET runtime or a system library just updated?). Run again.",
                    RetryClass.Retryable);
            }

            var header = Header(TarEntryType.RegularFile, entry.Path, entry);
            header.DataStream = content;
            await writer.WriteEntryAsync(header, cancellationToken).ConfigureAwait(false);
        }
    }

    private static GnuTarEntry Header(TarEntryType type, string name, HostImageEntry entry) =>
        new(type, name)
        {
            Mode = entry.Mode,
            Uid = entry.Uid,
            Gid = entry.Gid,
            ModificationTime = entry.ModificationTime,
            AccessTime = entry.ModificationTime,
            ChangeTime = entry.ModificationTime,
        };
}
