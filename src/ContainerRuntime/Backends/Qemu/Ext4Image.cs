namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// A read-only disk image (ext4, no journal) of a host directory, made with e2fsprogs' mke2fs
/// (<c>-d</c> copies the directory in without mounting anything, so no privilege is needed) and,
/// debugfs (owners that must differ from the host's; mke2fs's lost+found, which the folder never had). VMs attach it read-only, so any number of
/// them share one image; what a job changes goes to a tmpfs overlay inside its VM.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class Ext4Image
{
    private const long Block = 4096;

    /// <summary>
    /// Makes <paramref name="image"/> from <paramref name="directory"/>. With
    /// <paramref name="owner"/>, every file belongs to it (a job's copy-on-write folder, as
    /// the container backends give it to the job's user); otherwise files keep the owners
    /// <paramref name="owners"/> give (path relative to the directory, without a leading slash)
    /// or, for paths it does not name, the host's.
    /// </summary>
    public static async Task CreateAsync(string directory, string image, UserIdentity? owner, IReadOnlyDictionary<string, (int Uid, int Gid)>? owners, CancellationToken cancellationToken)
    {
        var mke2fs = HostTool.Find("mke2fs", "e2fsprogs");
        var (bytes, entries, paths) = Measure(directory);
        var size = Math.Max(16L << 20, (bytes * 5 / 4) + (entries * Block) + (16L << 20));
        size = (size + (1 << 20) - 1) / (1 << 20) * (1 << 20);
        var partial = image + "." + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write))
            {
                file.SetLength(size);
            }

            var root = owner is null ? (owners?.GetValueOrDefault(string.Empty) ?? (0, 0)) : (owner.Uid, owner.Gid);
            await HostTool.RunAsync(
                mke2fs,
                ["-q", "-F", "-t", "ext4", "-O", "^has_journal,^metadata_csum", "-m", "0", "-b", Block.ToString(CultureInfo.InvariantCulture),
                 "-N", (entries + 1024).ToString(CultureInfo.InvariantCulture), "-E", string.Create(CultureInfo.InvariantCulture, $"root_owner={root.Item1}:{root.Item2}"),
                 "-L", "containertest", "-d", directory, partial],
                $"Making a disk image of {directory}",
                cancellationToken).ConfigureAwait(false);

            // mke2fs always makes lost+found; the folder a job sees must hold what the host's holds.
            var commands = new StringBuilder(paths.Contains("lost+found") ? string.Empty : "rmdir lost+found\n");
            foreach (var path in paths)
            {
                (int Uid, int Gid)? wanted = owner is not null ? (owner.Uid, owner.Gid) : owners is not null && owners.TryGetValue(path, out var o) ? o : null;
                if (wanted is { } w)
                {
                    var quoted = "\"/" + path.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
                    commands.Append(CultureInfo.InvariantCulture, $"sif {quoted} uid {w.Uid}\nsif {quoted} gid {w.Gid}\n");
                }
            }

            if (commands.Length > 0)
            {
                var debugfs = HostTool.Find("debugfs", "e2fsprogs");
                var script = partial + ".debugfs";
                await File.WriteAllTextAsync(script, commands.ToString(), cancellationToken).ConfigureAwait(false);
                try
                {
                    await HostTool.RunAsync(debugfs, ["-w", "-f", script, partial], $"Setting the owners in the disk image of {directory}", cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    File.Delete(script);
                }
            }

            File.Move(partial, image, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>Bytes of file content (rounded up to blocks), entries, and every entry's path relative to <paramref name="directory"/>.</summary>
    private static (long Bytes, long Entries, List<string> Paths) Measure(string directory)
    {
        long bytes = 0;
        var paths = new List<string>();
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false }))
        {
            paths.Add(Path.GetRelativePath(directory, entry.FullName));
            if (entry is FileInfo file && entry.LinkTarget is null)
            {
                bytes += (file.Length + Block - 1) / Block * Block;
            }
        }

        return (bytes, paths.Count, paths);
    }
}
