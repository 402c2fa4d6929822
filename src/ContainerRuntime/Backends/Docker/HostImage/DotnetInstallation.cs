namespace ContainerTest.ContainerRuntime.Backends.Docker.HostImage;

/// <summary>
/// One .NET installation on the host (a "dotnet root"): the muxer, the host resolvers and the
/// shared frameworks. Says which of its parts go into the host image — never the SDK, packs,
/// templates or workload manifests: tests run framework-dependent apps; they build nothing.
/// </summary>
internal sealed class DotnetInstallation
{
    /// <summary>
    /// The shared frameworks the image carries. Microsoft.AspNetCore.App too: it costs ~27 MB
    /// once, on the local disk only (the image is built here and never pulled or pushed), while
    /// leaving it out would make every ASP.NET Core test project (WebApplicationFactory, the
    /// most common kind of integration test) unable to start in the host image at all.
    /// </summary>
    public static readonly IReadOnlyList<string> IncludedFrameworks = ["Microsoft.NETCore.App", "Microsoft.AspNetCore.App"];

    /// <summary>Files at the root that are not the muxer but must travel with it (the runtime's licence terms).</summary>
    public static readonly IReadOnlyList<string> IncludedRootFiles = ["LICENSE.txt", "ThirdPartyNotices.txt"];

    public DotnetInstallation(string root, string foundBy)
    {
        Root = root;
        FoundBy = foundBy;
    }

    /// <summary>The dotnet root as an absolute host path, symlinks resolved.</summary>
    public string Root { get; }

    /// <summary>How the root was found (for messages): "DOTNET_ROOT", "the running dotnet executable"…</summary>
    public string FoundBy { get; }

    /// <summary>The muxer, <c>&lt;root&gt;/dotnet</c>.</summary>
    public string Muxer => Path.Combine(Root, "dotnet");

    /// <summary>Each <c>host/fxr/&lt;version&gt;</c> folder.</summary>
    public IReadOnlyList<string> HostResolverDirectories => VersionDirectories(Path.Combine(Root, "host", "fxr"));

    /// <summary>Each <c>shared/&lt;framework&gt;/&lt;version&gt;</c> folder of the included frameworks.</summary>
    public IReadOnlyList<string> FrameworkDirectories =>
        IncludedFrameworks.SelectMany(name => VersionDirectories(Path.Combine(Root, "shared", name))).ToList();

    /// <summary>The versions of Microsoft.NETCore.App present (for messages).</summary>
    public IReadOnlyList<string> RuntimeVersions =>
        VersionDirectories(Path.Combine(Root, "shared", "Microsoft.NETCore.App")).Select(Path.GetFileName).OfType<string>().ToList();

    /// <summary>Whether <paramref name="root"/> holds a usable runtime: the muxer, a host resolver and at least one Microsoft.NETCore.App.</summary>
    public static bool LooksUsable(string root) =>
        File.Exists(Path.Combine(root, "dotnet"))
        && VersionDirectories(Path.Combine(root, "host", "fxr")).Any(directory => File.Exists(Path.Combine(directory, "libhostfxr.so")))
        && VersionDirectories(Path.Combine(root, "shared", "Microsoft.NETCore.App")).Count > 0;

    private static List<string> VersionDirectories(string parent) =>
        Directory.Exists(parent)
            ? Directory.EnumerateDirectories(parent).Order(StringComparer.Ordinal).ToList()
            : [];
}
