namespace ContainerTest.TestAdapter.Tests.Fixtures;

using System.Diagnostics;
using System.Formats.Tar;
using System.Runtime.InteropServices;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// A plain glibc image with no .NET and no ICU, built locally from this machine's C and C++
/// libraries (exactly what the .NET host and runtime link against, found with ldd): the
/// "Debian without .NET" case, without a registry.
/// </summary>
internal static class GlibcImage
{
    public const string Tag = "containertest-test/glibc-no-dotnet:1";

    public static async Task<string> EnsureAsync()
    {
        using var client = new DockerClientBuilder().Build();
        var libraries = await LinkedLibrariesAsync();
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "tmp") { Mode = (UnixFileMode)0x3FF | UnixFileMode.StickyBit });
            foreach (var library in libraries)
            {
                // At the path the loader asks for, with the content of what it links to.
                await using var content = File.OpenRead(Path.GetFullPath(new FileInfo(library).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? library));
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, library.TrimStart('/')) { DataStream = content, Mode = (UnixFileMode)0x1ED });
            }
        }

        tar.Position = 0;
        await client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromSrc = "-", Repo = Tag.Split(':')[0], Tag = Tag.Split(':')[1], Changes = ["LABEL io.containertest.managed=true"] },
            tar,
            new AuthConfig(),
            new Progress<JSONMessage>());
        return Tag;
    }

    private static async Task<SortedSet<string>> LinkedLibrariesAsync()
    {
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var binaries = new[] { Path.Combine(root, "dotnet") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "host", "fxr"), "libhostfxr.so", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.so"));
        var libraries = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var binary in binaries)
        {
            var start = new ProcessStartInfo("ldd", [binary]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var ldd = Process.Start(start)!;
            var output = await ldd.StandardOutput.ReadToEndAsync();
            await ldd.WaitForExitAsync();
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // "libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
                var path = line.Contains("=>", StringComparison.Ordinal) ? line.Split("=>")[1].Trim().Split(' ')[0] : line.Split(' ')[0];
                if (path.StartsWith('/') && !path.Contains("/dotnet/", StringComparison.Ordinal) && !Path.GetFileName(path).StartsWith("libicu", StringComparison.Ordinal))
                {
                    libraries.Add(path);
                }
            }
        }

        return libraries;
    }
}
