namespace ContainerTest.TestAdapter.Tests.Fixtures;

using System.Formats.Tar;
using System.IO.Pipes;
using System.Security.Cryptography;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// A small HTTP server image built locally (no registry is reachable): Debian's static busybox
/// (package busybox-static) running <c>httpd -f -p 8080 -h /www</c>, serving /www/hello.txt
/// ("hello from a container"). It carries no ContainerTest label: it is the test's, not ours,
/// and `dotnet containertest clean` leaves it alone.
/// </summary>
internal static class HttpServerImage
{
    public const string Content = "hello from a container";
    private const string BusyboxPath = "/bin/busybox";

    public static async Task<string> EnsureAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(BusyboxPath))
        {
            throw new InvalidOperationException($"{BusyboxPath} is missing: install Debian's busybox-static (./build.sh test does).");
        }

        using var client = new DockerClientBuilder().Build();
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(BusyboxPath, cancellationToken)))[..12];
        var tag = $"containertest-fixture/busybox-httpd:{hash}";
        try
        {
            await client.Images.InspectImageAsync(tag, cancellationToken);
            return tag;
        }
        catch (DockerImageNotFoundException)
        {
        }

        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var readEnd = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var writing = Task.Run(
            async () =>
            {
                try
                {
                    await WriteRootFsAsync(pipe, cancellationToken);
                }
                finally
                {
                    pipe.Dispose();
                }
            },
            CancellationToken.None);
        await client.Images.CreateImageAsync(
            new ImagesCreateParameters
            {
                FromSrc = "-",
                Repo = tag.Split(':')[0],
                Tag = hash,
                Changes = ["ENV PATH=/bin", "EXPOSE 8080", "CMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]"],
            },
            readEnd,
            new AuthConfig(),
            new Progress<JSONMessage>(),
            cancellationToken);
        await writing;
        return tag;
    }

    private static async Task WriteRootFsAsync(Stream destination, CancellationToken cancellationToken)
    {
        await using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        const UnixFileMode Dir = (UnixFileMode)0b111_101_101;
        foreach (var directory in new[] { "bin/", "etc/", "www/" })
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, directory) { Mode = Dir }, cancellationToken);
        }

        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "tmp/") { Mode = (UnixFileMode)0b1_111_111_111 }, cancellationToken);
        await writer.WriteEntryAsync(BusyboxPath, "bin/busybox", cancellationToken);
        foreach (var applet in new[] { "sh", "httpd", "grep", "nc", "cat" })
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox" }, cancellationToken);
        }

        await WriteFileAsync(writer, "etc/passwd", "root:x:0:0:root:/:/bin/sh\n", cancellationToken);
        await WriteFileAsync(writer, "www/hello.txt", Content + "\n", cancellationToken);
    }

    private static Task WriteFileAsync(TarWriter writer, string path, string content, CancellationToken cancellationToken) =>
        writer.WriteEntryAsync(
            new PaxTarEntry(TarEntryType.RegularFile, path) { Mode = (UnixFileMode)0b110_100_100, DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) },
            cancellationToken);
}
