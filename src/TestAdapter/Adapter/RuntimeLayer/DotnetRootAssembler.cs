namespace ContainerTest.TestAdapter.RuntimeLayer;

using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

/// <summary>
/// Lays runtime packs out as a dotnet root (dotnet, host/fxr/V/libhostfxr.so, shared/FRAMEWORK/V/)
/// in a cache folder on the host, once per combination: every test container then mounts the same
/// folder read-only, so the layer costs nothing per test.
/// </summary>
internal static class DotnetRootAssembler
{
    private const string CompleteMarker = ".containertest-complete";

    /// <summary>The folder for these packs (built now unless an earlier run built it).</summary>
    public static string Assemble(string rid, string muxer, IReadOnlyList<(string Framework, RuntimePack Pack)> packs)
    {
        var key = new StringBuilder(rid).Append('|').Append(muxer).Append('|').Append(new FileInfo(muxer).Length);
        foreach (var (framework, pack) in packs)
        {
            key.Append('|').Append(framework).Append('=').Append(pack.PackageId).Append('/').Append(pack.Version.ToNormalizedString());
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())))[..16].ToLowerInvariant();
        var target = Path.Combine(ContainerRuntime.RuntimeCache.Root, "dotnet-roots", $"{rid}-{hash}");
        if (File.Exists(Path.Combine(target, CompleteMarker)))
        {
            return target;
        }

        var staging = $"{target}.{Environment.ProcessId}.{Guid.NewGuid():N}";
        try
        {
            Build(staging, rid, muxer, packs);
            if (Directory.Exists(target))
            {
                // A run that died half way through an older layout: replace it.
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(staging, target);
        }
        catch (IOException) when (File.Exists(Path.Combine(target, CompleteMarker)))
        {
            // Another run finished the same layout first: use theirs.
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return target;
    }

    private static void Build(string root, string rid, string muxer, IReadOnlyList<(string Framework, RuntimePack Pack)> packs)
    {
        Directory.CreateDirectory(root);
        CopyExecutable(muxer, Path.Combine(root, "dotnet"));
        foreach (var (framework, pack) in packs)
        {
            var version = pack.Version.ToNormalizedString();
            var runtime = Path.Combine(pack.Folder, "runtimes", rid);
            var native = Path.Combine(runtime, "native");
            var frameworkFolder = Path.Combine(root, "shared", framework, version);
            Directory.CreateDirectory(frameworkFolder);
            var lib = Path.Combine(runtime, "lib");
            foreach (var file in Directory.Exists(lib) ? Directory.EnumerateFiles(lib, "*", SearchOption.AllDirectories) : [])
            {
                File.Copy(file, Path.Combine(frameworkFolder, Path.GetFileName(file)), overwrite: true);
            }

            foreach (var file in Directory.Exists(native) ? Directory.EnumerateFiles(native) : [])
            {
                CopyExecutable(file, Path.Combine(frameworkFolder, Path.GetFileName(file)));
            }

            var hostfxr = Path.Combine(native, "libhostfxr.so");
            if (File.Exists(hostfxr))
            {
                var fxr = Path.Combine(root, "host", "fxr", version);
                Directory.CreateDirectory(fxr);
                CopyExecutable(hostfxr, Path.Combine(fxr, "libhostfxr.so"));
            }
        }

        File.WriteAllText(Path.Combine(root, CompleteMarker), string.Join(Environment.NewLine, packs.Select(p => $"{p.Pack.PackageId} {p.Pack.Version}")));
    }

    private static void CopyExecutable(string source, string destination)
    {
        File.Copy(source, destination, overwrite: true);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
    }

    /// <summary>The container runtime identifier for this host's architecture (the layer's dotnet host is the host's own).</summary>
    public static string RuntimeIdentifier() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "linux-x64",
        Architecture.Arm64 => "linux-arm64",
        var other => throw new RuntimeLayerException($"the runtime layer supports x64 and arm64 hosts, not {other}. Use an image that has the .NET runtime."),
    };
}
