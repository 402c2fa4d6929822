namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Collections.Concurrent;
using System.Formats.Tar;
using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// Disk images of a run's layers (host folders, tar archives), each made once and shared
/// read-only by every VM that needs it. A folder's image is keyed by what the folder holds (every
/// entry's path, size, time and mode) and the owner its files get, so a folder rebuilt during the
/// run gets a new image. They live in the run's folder and go with it.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class LayerDisks(string folder)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> made = new(StringComparer.Ordinal);

    /// <summary>The image of <paramref name="directory"/>, its files owned by <paramref name="owner"/> (null: as on the host).</summary>
    public Task<string> OfDirectoryAsync(string directory, UserIdentity? owner, CancellationToken cancellationToken)
    {
        var key = "d|" + directory + "|" + (owner?.ToString() ?? "host") + "|" + Fingerprint(directory);
        return MakeAsync(key, image => Ext4Image.CreateAsync(directory, image, owner, owners: null, CancellationToken.None), cancellationToken);
    }

    /// <summary>The image of what <paramref name="archive"/> holds, owners as the archive says.</summary>
    public Task<string> OfArchiveAsync(string archive, CancellationToken cancellationToken)
    {
        var info = new FileInfo(archive);
        var key = string.Create(CultureInfo.InvariantCulture, $"t|{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}");
        return MakeAsync(key, image => FromArchiveAsync(archive, image), cancellationToken);
    }

    private async Task<string> MakeAsync(string key, Func<string, Task> create, CancellationToken cancellationToken)
    {
        var lazy = made.GetOrAdd(key, k => new Lazy<Task<string>>(async () =>
        {
            Directory.CreateDirectory(folder);
            var image = Path.Combine(folder, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(k)))[..16].ToLowerInvariant() + ".ext4");
            await create(image).ConfigureAwait(false);
            return image;
        }));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            made.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(key, lazy));
            throw;
        }
    }

    private static async Task FromArchiveAsync(string archive, string image)
    {
        var staging = image + ".d";
        Directory.CreateDirectory(staging);
        try
        {
            var owners = new Dictionary<string, (int, int)>(StringComparer.Ordinal) { [string.Empty] = (0, 0) };
            var stream = File.OpenRead(archive);
            await using (stream.ConfigureAwait(false))
            {
                Stream input = stream;
                if (stream.ReadByte() == 0x1F)
                {
                    stream.Position = 0;
                    input = new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress);
                }
                else
                {
                    stream.Position = 0;
                }

                var reader = new TarReader(input);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.GetNextEntryAsync(copyData: false).ConfigureAwait(false) is { } entry)
                    {
                        var name = entry.Name.TrimStart('.').Trim('/');
                        if (name.Length == 0 || name.Split('/').Contains(".."))
                        {
                            continue;
                        }

                        var path = Path.Combine(staging, name);
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        owners[name] = (entry.Uid, entry.Gid);
                        switch (entry.EntryType)
                        {
                            case TarEntryType.Directory:
                                Directory.CreateDirectory(path);
                                break;
                            case TarEntryType.SymbolicLink:
                                File.CreateSymbolicLink(path, entry.LinkName);
                                break;
                            case TarEntryType.HardLink:
                                File.Copy(Path.Combine(staging, entry.LinkName.TrimStart('.').Trim('/')), path, overwrite: true);
                                break;
                            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                                await entry.ExtractToFileAsync(path, overwrite: true).ConfigureAwait(false);
                                File.SetUnixFileMode(path, entry.Mode);
                                break;
                        }
                    }
                }
            }

            await Ext4Image.CreateAsync(staging, image, owner: null, owners, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>What a folder holds, cheaply: every entry's path, size, time and mode.</summary>
    private static string Fingerprint(string directory)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            var size = entry is FileInfo file ? file.Length : 0;
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{entry.FullName}\0{size}\0{entry.LastWriteTimeUtc.Ticks}\0{(int)entry.UnixFileMode}\0{entry.LinkTarget}\n")));
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
