namespace ContainerTest.ContainerRuntime.Backends.Docker.HostImage;

using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

/// <summary>
/// The libraries the .NET runtime opens by name at run time (dlopen), which no DT_NEEDED entry
/// and so no <c>ldd</c> shows: OpenSSL (System.Security.Cryptography.Native.OpenSsl), ICU
/// (System.Globalization.Native), zlib, and GSSAPI (System.Net.Security.Native, for Negotiate
/// authentication). Plus glibc's NSS modules for "files" and "dns", which older glibc loads the
/// same way to read /etc/passwd and resolve names.
/// </summary>
internal static partial class RuntimeLoadedLibraries
{
    /// <summary>OpenSSL pairs in the order the runtime's shim tries them; the first complete pair is taken.</summary>
    private static readonly (string Ssl, string Crypto)[] OpenSslPairs =
    [
        ("libssl.so.3", "libcrypto.so.3"),
        ("libssl.so.1.1", "libcrypto.so.1.1"),
    ];

    private static readonly string[] Optional = ["libz.so.1", "libgssapi_krb5.so.2", "libnss_files.so.2", "libnss_dns.so.2"];

    /// <summary>The folders the loader searches by default on this architecture (used when a library's own folder is unknown).</summary>
    public static IReadOnlyList<string> DefaultDirectories(Architecture architecture)
    {
        var triplet = Triplet(architecture);
        var directories = new List<string>();
        if (triplet is not null)
        {
            directories.Add("/lib/" + triplet);
            directories.Add("/usr/lib/" + triplet);
        }

        directories.AddRange(["/lib64", "/usr/lib64", "/lib", "/usr/lib"]);
        return directories;
    }

    /// <summary>The Debian/Ubuntu multiarch folder name for the architecture, if it has one.</summary>
    public static string? Triplet(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "x86_64-linux-gnu",
        Architecture.Arm64 => "aarch64-linux-gnu",
        Architecture.Arm => "arm-linux-gnueabihf",
        Architecture.X86 => "i386-linux-gnu",
        Architecture.S390x => "s390x-linux-gnu",
        Architecture.Ppc64le => "powerpc64le-linux-gnu",
        _ => null,
    };

    /// <summary>
    /// Looks for the libraries in <paramref name="searchDirectories"/> (in order; the first folder
    /// that has a name wins, as with the loader) and returns their paths.
    /// </summary>
    public static RuntimeLibraries Find(IEnumerable<string> searchDirectories)
    {
        var directories = searchDirectories
            .Where(Directory.Exists)
            .DistinctBy(directory => HostPathResolver.Canonicalize(directory) ?? directory, StringComparer.Ordinal)
            .ToList();
        string? Locate(string name) =>
            directories.Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists);

        var found = new List<string>();
        foreach (var (ssl, crypto) in OpenSslPairs)
        {
            if (Locate(ssl) is { } sslPath && Locate(crypto) is { } cryptoPath)
            {
                found.Add(sslPath);
                found.Add(cryptoPath);
                break;
            }
        }

        var icuVersion = HighestIcuVersion(directories);
        if (icuVersion is { } version)
        {
            // The runtime probes libicuuc.so.<N> from the highest version down and wants the
            // matching libicui18n; libicudata comes with them. Only one version is taken: each
            // one costs ~30 MB (mostly libicudata) and the runtime would never load a second.
            foreach (var name in new[] { "libicuuc.so.", "libicui18n.so.", "libicudata.so." })
            {
                if (Locate(name + version.ToString(CultureInfo.InvariantCulture)) is { } path)
                {
                    found.Add(path);
                }
            }
        }

        found.AddRange(Optional.Select(Locate).OfType<string>());
        return new RuntimeLibraries(found, icuVersion is not null);
    }

    private static int? HighestIcuVersion(IReadOnlyList<string> directories)
    {
        var versions = new SortedSet<int>();
        foreach (var directory in directories)
        {
            foreach (var file in Directory.EnumerateFiles(directory, "libicuuc.so.*"))
            {
                var match = IcuName().Match(Path.GetFileName(file));
                if (match.Success
                    && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                    && File.Exists(Path.Combine(directory, "libicui18n.so." + match.Groups[1].Value)))
                {
                    versions.Add(version);
                }
            }
        }

        return versions.Count > 0 ? versions.Max : null;
    }

    [GeneratedRegex(@"^libicuuc\.so\.(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IcuName();
}

/// <summary>What <see cref="RuntimeLoadedLibraries.Find"/> found.</summary>
/// <param name="Paths">Host paths of the libraries found.</param>
/// <param name="HasIcu">Whether ICU was found; without it the image must run in invariant globalization mode.</param>
internal sealed record RuntimeLibraries(IReadOnlyList<string> Paths, bool HasIcu);
