namespace ContainerTest.Cli.Shell;

using System.Formats.Tar;
using System.Security.Cryptography;
using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// The toolbox the build staged in <c>.containertest/toolbox/</c> (a static busybox and its
/// applet list), as one tar layer at <see cref="Folder"/>: the binary and one symlink per applet.
/// The tar is made once per toolbox (cached in the temp folder by content hash): one copy into
/// the container instead of hundreds.
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

        var content = await File.ReadAllBytesAsync(binary, cancellationToken).ConfigureAwait(false);
        var applets = (await File.ReadAllLinesAsync(appletList, cancellationToken).ConfigureAwait(false))
            .Select(a => a.Trim())
            .Where(a => a.Length > 0 && a != "busybox" && !a.Contains('/', StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var hash = Convert.ToHexString(SHA256.HashData([.. content, .. System.Text.Encoding.UTF8.GetBytes(string.Join('\n', applets))]))[..16].ToLowerInvariant();
        var archive = Path.Combine(Path.GetTempPath(), $"containertest-toolbox-{hash}.tar");
        if (!File.Exists(archive))
        {
            await WriteArchiveAsync(archive, content, applets, cancellationToken).ConfigureAwait(false);
        }

        return [new TarArchiveLayer(archive, Folder)];
    }

    private static async Task WriteArchiveAsync(string archive, byte[] binary, IReadOnlyList<string> applets, CancellationToken cancellationToken)
    {
        var partial = archive + "." + Guid.NewGuid().ToString("N")[..8];
        var file = File.Create(partial);
        await using (file.ConfigureAwait(false))
        {
            var writer = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "busybox") { Mode = Executable, DataStream = new MemoryStream(binary) }, cancellationToken).ConfigureAwait(false);
                foreach (var applet in applets)
                {
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, applet) { LinkName = "busybox", Mode = Executable }, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        File.Move(partial, archive, overwrite: true);
    }
}
