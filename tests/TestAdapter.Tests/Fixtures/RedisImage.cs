namespace ContainerTest.TestAdapter.Tests.Fixtures;

using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// A Redis server image built locally from Debian's own redis-server (package redis-server,
/// installed by build.sh) and the shared libraries it links against — no registry needed. Tagged
/// by a hash of the binary; carries no ContainerTest label (it is the tests', not ours).
/// </summary>
internal static class RedisImage
{
    private const string Binary = "/usr/bin/redis-server";

    public static async Task<string> EnsureAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: install Debian's redis-server (./build.sh test does).");
        }

        var binary = new FileInfo(Binary).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Binary;
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(binary, cancellationToken)))[..12];
        var tag = $"containertest-fixture/redis:{hash}";
        using var client = new DockerClientBuilder().Build();
        try
        {
            await client.Images.InspectImageAsync(tag, cancellationToken);
            return tag;
        }
        catch (DockerImageNotFoundException)
        {
        }

        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "tmp/") { Mode = (UnixFileMode)0b1_111_111_111 }, cancellationToken);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "data/") { Mode = (UnixFileMode)0b1_111_111_111 }, cancellationToken);
            await AddFileAsync(writer, binary, "usr/bin/redis-server", cancellationToken);
            foreach (var library in await LinkedLibrariesAsync(binary, cancellationToken))
            {
                await AddFileAsync(writer, new FileInfo(library).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? library, library.TrimStart('/'), cancellationToken);
            }

            await writer.WriteEntryAsync(
                new PaxTarEntry(TarEntryType.RegularFile, "etc/passwd") { Mode = (UnixFileMode)0b110_100_100, DataStream = new MemoryStream("root:x:0:0:root:/data:/bin/false\n"u8.ToArray()) },
                cancellationToken);
        }

        tar.Position = 0;
        await client.Images.CreateImageAsync(
            new ImagesCreateParameters
            {
                FromSrc = "-",
                Repo = tag.Split(':')[0],
                Tag = hash,
                Changes = ["WORKDIR /data", "EXPOSE 6379", "CMD [\"/usr/bin/redis-server\", \"--protected-mode\", \"no\"]"],
            },
            tar,
            new AuthConfig(),
            new Progress<JSONMessage>(),
            cancellationToken);
        return tag;
    }

    private static async Task AddFileAsync(TarWriter writer, string source, string path, CancellationToken cancellationToken)
    {
        await using var content = File.OpenRead(source);
        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = content, Mode = (UnixFileMode)0b111_101_101 }, cancellationToken);
    }

    private static async Task<SortedSet<string>> LinkedLibrariesAsync(string binary, CancellationToken cancellationToken)
    {
        using var ldd = Process.Start(new ProcessStartInfo("ldd", [binary]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await ldd.StandardOutput.ReadToEndAsync(cancellationToken);
        await ldd.WaitForExitAsync(cancellationToken);
        var libraries = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // "libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
            var path = line.Contains("=>", StringComparison.Ordinal) ? line.Split("=>")[1].Trim().Split(' ')[0] : line.Split(' ')[0];
            if (path.StartsWith('/'))
            {
                libraries.Add(path);
            }
        }

        return libraries;
    }
}
