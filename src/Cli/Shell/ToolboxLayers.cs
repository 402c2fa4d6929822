namespace ContainerTest.Cli.Shell;

using System.Formats.Tar;
using System.Security.Cryptography;
using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// The toolbox the build staged in <c>.containertest/toolbox/</c> (static toybox and busybox, and
/// the list of tools, <c>name&lt;TAB&gt;binary</c> a line), as one tar layer at
/// <see cref="Folder"/>: the binaries and one symlink per tool. The tar is made once per toolbox
/// (cached in the temp folder by content hash): one copy into the container instead of hundreds.
/// </summary>
internal static class ToolboxLayers
{
    /// <summary>Where the tools are inside the container.</summary>
    public const string Folder = "/.containertest/bin";

    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static async Task<IReadOnlyList<Layer>> LoadAsync(string outputDirectory, CancellationToken cancellationToken)
    {
        var staged = Path.Combine(outputDirectory, ".containertest", "toolbox");
        var binary = Path.Combine(staged, "busybox");
        var appletList = Path.Combine(staged, "applets");
        if (!File.Exists(binary) || !File.Exists(appletList))
        {
            throw new CliException(
                $"The toolbox is not in {staged}: the build stages it there when the ContainerTest package is referenced (from source it needs busybox-static: apt-get install busybox-static). Rebuild the test project.");
        }

        var binaries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in new[] { "busybox", "toybox" })
        {
            var path = Path.Combine(staged, name);
            if (File.Exists(path))
            {
                binaries[name] = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }

        // name<TAB>binary; a bare name (a toolbox staged before toybox came) is busybox's.
        var tools = (await File.ReadAllLinesAsync(appletList, cancellationToken).ConfigureAwait(false))
            .Select(line => line.Trim().Split('\t'))
            .Where(parts => parts[0].Length > 0 && !binaries.ContainsKey(parts[0]) && !parts[0].Contains('/', StringComparison.Ordinal))
            .Select(parts => (Name: parts[0], Binary: parts.Length > 1 ? parts[1] : "busybox"))
            .Where(tool => binaries.ContainsKey(tool.Binary))
            .DistinctBy(tool => tool.Name)
            .ToList();
        var hash = Convert.ToHexString(SHA256.HashData([.. binaries.SelectMany(b => b.Value), .. System.Text.Encoding.UTF8.GetBytes(string.Join('\n', tools))]))[..16].ToLowerInvariant();
        var archive = Path.Combine(Path.GetTempPath(), $"containertest-toolbox-{hash}.tar");
        if (!File.Exists(archive))
        {
            await WriteArchiveAsync(archive, binaries, tools, cancellationToken).ConfigureAwait(false);
        }

        return [new TarArchiveLayer(archive, Folder)];
    }

    private static async Task WriteArchiveAsync(string archive, Dictionary<string, byte[]> binaries, IReadOnlyList<(string Name, string Binary)> tools, CancellationToken cancellationToken)
    {
        var partial = archive + "." + Guid.NewGuid().ToString("N")[..8];
        var file = File.Create(partial);
        await using (file.ConfigureAwait(false))
        {
            var writer = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                foreach (var (name, content) in binaries)
                {
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = Executable, DataStream = new MemoryStream(content) }, cancellationToken).ConfigureAwait(false);
                }

                foreach (var (name, binary) in tools)
                {
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = binary, Mode = Executable }, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        File.Move(partial, archive, overwrite: true);
    }
}
