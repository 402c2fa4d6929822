namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Pipes;
using System.Security.Cryptography;
using ContainerTest.ContainerRuntime.Backends.Docker;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Builds, once, a local image holding Debian's static busybox (package busybox-static, installed
/// by build.sh) with one symlink per applet — no registry needed.
/// </summary>
internal static class BusyboxImage
{
    private const string BusyboxPath = "/bin/busybox";

    public static async Task<string> EnsureAsync(DockerClient client, CancellationToken cancellationToken)
    {
        if (!File.Exists(BusyboxPath))
        {
            throw new InvalidOperationException($"{BusyboxPath} is missing: install Debian's busybox-static (./build.sh test does).");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(BusyboxPath, cancellationToken)))[..16];
        var tag = $"containertest-test/busybox:{hash}";
        try
        {
            await client.Images.InspectImageAsync(tag, cancellationToken);
            return tag;
        }
        catch (DockerImageNotFoundException)
        {
        }

        var applets = await ListAppletsAsync(cancellationToken);
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var readEnd = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var writing = Task.Run(async () =>
        {
            try
            {
                await WriteRootFsAsync(pipe, applets, cancellationToken);
            }
            finally
            {
                pipe.Dispose();
            }
        }, CancellationToken.None);
        var parameters = new ImagesCreateParameters
        {
            FromSrc = "-",
            Repo = "containertest-test/busybox",
            Tag = hash,
            Changes = [$"LABEL {ContainerLabels.Managed}=true", $"LABEL {ContainerLabels.Kind}=test-image", "ENV PATH=/bin", "CMD [\"sh\"]"],
        };
        await client.Images.CreateImageAsync(parameters, readEnd, new AuthConfig(), new Progress<JSONMessage>(), cancellationToken);
        await writing;
        return tag;
    }

    private static async Task<string[]> ListAppletsAsync(CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(BusyboxPath, "--list") { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static async Task WriteRootFsAsync(Stream destination, string[] applets, CancellationToken cancellationToken)
    {
        await using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        const UnixFileMode Dir = (UnixFileMode)0b111_101_101;
        foreach (var directory in new[] { "bin/", "etc/", "root/" })
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, directory) { Mode = Dir }, cancellationToken);
        }

        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "tmp/") { Mode = (UnixFileMode)0b1_111_111_111 }, cancellationToken);
        await writer.WriteEntryAsync(BusyboxPath, "bin/busybox", cancellationToken);
        foreach (var applet in applets.Where(a => a != "busybox"))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox" }, cancellationToken);
        }

        var passwd = "root:x:0:0:root:/root:/bin/sh\n";
        await writer.WriteEntryAsync(
            new PaxTarEntry(TarEntryType.RegularFile, "etc/passwd") { Mode = (UnixFileMode)0b110_100_100, DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(passwd)) },
            cancellationToken);
    }
}
