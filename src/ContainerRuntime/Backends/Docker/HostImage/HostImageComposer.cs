namespace ContainerTest.ContainerRuntime.Backends.Docker.HostImage;

using System.Runtime.InteropServices;

/// <summary>
/// Decides what the host image holds: the host's .NET runtime (at /usr/share/dotnet, without
/// the SDK), the shared libraries it links against and those it opens by name, the CA bundle,
/// the time-zone database, and the system files a process expects.
/// </summary>
internal static class HostImageComposer
{
    /// <summary>Where the dotnet root is in the image.</summary>
    public const string ImageDotnetRoot = "/usr/share/dotnet";

    /// <summary>Where the CA bundle is in the image (Debian's name, which OpenSSL users widely know).</summary>
    public const string ImageCaBundle = "/etc/ssl/certs/ca-certificates.crt";

    /// <summary>The value of the <c>io.containertest.kind</c> label.</summary>
    public const string KindLabelValue = "host-image";

    // CA bundles by distribution family: Debian/Ubuntu/Arch/Gentoo, Fedora/RHEL, openSUSE, Alpine.
    private static readonly string[] CaBundles =
    [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/ca-bundle.pem",
        "/etc/ssl/cert.pem",
    ];

    // Static archives, split debug information: never loaded at run time.
    private static readonly string[] SkippedExtensions = [".a", ".dbg", ".debug"];

    /// <summary>Builds the file set for this host.</summary>
    public static Task<HostImageFileSet> ComposeAsync(CancellationToken cancellationToken) =>
        ComposeAsync(DotnetInstallationLocator.Locate(), RuntimeInformation.ProcessArchitecture, cancellationToken);

    /// <summary>Builds the file set for the given installation.</summary>
    public static async Task<HostImageFileSet> ComposeAsync(DotnetInstallation installation, Architecture architecture, CancellationToken cancellationToken)
    {
        var set = new HostImageFileSet();

        // 1. Shared libraries first, at their host paths: they bring the top-level links of a
        //    merged-/usr system (lib → usr/lib, lib64 → usr/lib64) before anything else claims
        //    those names as folders.
        var elfFiles = RuntimeElfFiles(installation).ToList();
        var linked = await SharedLibraryClosure.ResolveAsync(elfFiles, cancellationToken).ConfigureAwait(false);
        var searchDirectories = linked.Libraries
            .Select(Path.GetDirectoryName)
            .OfType<string>()
            .Concat(RuntimeLoadedLibraries.DefaultDirectories(architecture))
            .Distinct(StringComparer.Ordinal);
        var loadedByName = RuntimeLoadedLibraries.Find(searchDirectories);
        var loadedByNameClosure = await SharedLibraryClosure.ResolveAsync(loadedByName.Paths, cancellationToken).ConfigureAwait(false);

        var libraries = new SortedSet<string>(linked.Libraries, StringComparer.Ordinal);
        libraries.UnionWith(loadedByName.Paths);
        libraries.UnionWith(loadedByNameClosure.Libraries);
        if (linked.Interpreters.Count == 0)
        {
            libraries.UnionWith(KnownInterpreters(architecture).Where(File.Exists));
        }

        var rootPrefix = installation.Root.TrimEnd('/') + "/";
        var libraryDirectories = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var library in libraries)
        {
            // libmscordbi.so links libmscordaccore.so next to it: already part of the runtime.
            var canonical = HostPathResolver.Canonicalize(library);
            if (canonical is null || canonical.StartsWith(rootPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            set.AddHostPath(library);
            if (!linked.Interpreters.Contains(library) && Path.GetDirectoryName(library) is { } directory)
            {
                libraryDirectories.Add(directory);
            }
        }

        // 2. The runtime, at /usr/share/dotnet whatever its host folder.
        AddRuntime(set, installation);
        set.AddSymlink("/usr/bin/dotnet", ImageDotnetRoot + "/dotnet");

        // 3. Data the runtime reads: trusted roots for TLS, time zones for TimeZoneInfo.
        var caBundle = CaBundles.FirstOrDefault(File.Exists);
        if (caBundle is not null && set.AddHostFileAt(caBundle, ImageCaBundle))
        {
            // OpenSSL's compiled-in default (e.g. /usr/lib/ssl/cert.pem on Debian) differs between
            // builds; naming the file works with every OpenSSL and with .NET's X509Store.
            set.SetEnvironment("SSL_CERT_FILE", ImageCaBundle);
        }

        // ~2 MB. Without it TimeZoneInfo knows only UTC and FindSystemTimeZoneById fails, so a
        // test using "Europe/Berlin" would pass natively and fail in the container. The "right"
        // variants (leap seconds) are not used by .NET.
        set.AddHostTree("/usr/share/zoneinfo", relative => string.Equals(relative, "right", StringComparison.Ordinal));

        // 4. passwd, group, nsswitch.conf, /tmp, homes.
        HostImageSystemFiles.AddTo(set);

        // 5. Environment and labels.
        set.SetEnvironment("PATH", HostImageSystemFiles.SearchPath);
        set.SetEnvironment("DOTNET_ROOT", ImageDotnetRoot);
        set.SetEnvironment("DOTNET_CLI_TELEMETRY_OPTOUT", "1");
        set.SetEnvironment("DOTNET_NOLOGO", "1");
        if (!loadedByName.HasIcu)
        {
            // Without ICU the runtime refuses to start unless told to do without it.
            set.SetEnvironment("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1");
        }

        // The image has no /etc/ld.so.cache: the loader then searches only its built-in
        // folders. A library from anywhere else (/usr/local/lib, an ld.so.conf.d entry) needs
        // its folder named.
        var defaults = new HashSet<string>(RuntimeLoadedLibraries.DefaultDirectories(architecture), StringComparer.Ordinal);
        var extra = libraryDirectories.Where(directory => !defaults.Contains(directory)).ToList();
        if (extra.Count > 0)
        {
            set.SetEnvironment("LD_LIBRARY_PATH", string.Join(':', extra));
        }

        set.SetLabel(ContainerLabels.Managed, "true");
        set.SetLabel(ContainerLabels.Kind, KindLabelValue);
        return set;
    }

    /// <summary>The ELF files of the runtime whose dependencies the image needs: the muxer, the host resolvers and every native file of the frameworks.</summary>
    private static IEnumerable<string> RuntimeElfFiles(DotnetInstallation installation)
    {
        yield return installation.Muxer;
        foreach (var directory in installation.HostResolverDirectories.Concat(installation.FrameworkDirectories))
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (!SkippedExtensions.Any(extension => file.EndsWith(extension, StringComparison.Ordinal)) && IsElf(file))
                {
                    yield return file;
                }
            }
        }
    }

    private static void AddRuntime(HostImageFileSet set, DotnetInstallation installation)
    {
        var root = new DirectoryInfo(installation.Root);
        set.AddDirectory(ImageDotnetRoot, root.UnixFileMode);
        set.AddHostFileAt(installation.Muxer, ImageDotnetRoot + "/dotnet");
        foreach (var name in DotnetInstallation.IncludedRootFiles)
        {
            set.AddHostFileAt(Path.Combine(installation.Root, name), ImageDotnetRoot + "/" + name);
        }

        foreach (var directory in installation.HostResolverDirectories.Concat(installation.FrameworkDirectories))
        {
            var relative = Path.GetRelativePath(installation.Root, directory);
            AddParentsWithHostModes(set, installation.Root, relative);
            set.AddHostTreeAt(directory, ImageDotnetRoot + "/" + relative, SkipInRuntime);
        }
    }

    // host/fxr and shared/<framework> get the modes the host gives them, not a default.
    private static void AddParentsWithHostModes(HostImageFileSet set, string root, string relative)
    {
        var parts = relative.Split('/');
        for (var count = 1; count < parts.Length; count++)
        {
            var partial = string.Join('/', parts.Take(count));
            if (!set.Contains(ImageDotnetRoot + "/" + partial))
            {
                set.AddDirectory(ImageDotnetRoot + "/" + partial, new DirectoryInfo(Path.Combine(root, partial)).UnixFileMode);
            }
        }
    }

    private static bool SkipInRuntime(string relative) =>
        SkippedExtensions.Any(extension => relative.EndsWith(extension, StringComparison.Ordinal));

    private static bool IsElf(string file)
    {
        Span<byte> magic = stackalloc byte[4];
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4
                && magic[0] == 0x7F && magic[1] == (byte)'E' && magic[2] == (byte)'L' && magic[3] == (byte)'F';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string[] KnownInterpreters(Architecture architecture) => architecture switch
    {
        Architecture.X64 => ["/lib64/ld-linux-x86-64.so.2", "/lib/ld-musl-x86_64.so.1"],
        Architecture.Arm64 => ["/lib/ld-linux-aarch64.so.1", "/lib/ld-musl-aarch64.so.1"],
        Architecture.Arm => ["/lib/ld-linux-armhf.so.3", "/lib/ld-musl-armhf.so.1"],
        _ => [],
    };
}
