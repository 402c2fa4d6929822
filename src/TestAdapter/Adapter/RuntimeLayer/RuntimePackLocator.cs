namespace ContainerTest.TestAdapter.RuntimeLayer;

using NuGet.Common;
using NuGet.Configuration;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Packaging.Signing;
using NuGet.Protocol;
using NuGet.Protocol.Core.Types;
using NuGet.Versioning;

/// <summary>
/// Finds a runtime pack (<c>Microsoft.NETCore.App.Runtime.linux-x64</c> and its kin) the way a
/// restore would: the NuGet.config files that apply to the test's folder, the global packages
/// folder first (no network when a matching version is already there), then the configured
/// feeds, extracting what it downloads into the global packages folder for every later use.
/// </summary>
internal sealed class RuntimePackLocator(string settingsRoot)
{
    private readonly ISettings settings = Settings.LoadDefaultSettings(settingsRoot);

    /// <summary>The global packages folder in use (NUGET_PACKAGES, NuGet.config, or ~/.nuget/packages).</summary>
    public string GlobalPackagesFolder => SettingsUtility.GetGlobalPackagesFolder(settings);

    /// <summary>
    /// The newest pack of the same major.minor as <paramref name="minimum"/> and at least it (the
    /// runtime's roll-forward to the latest patch), preferring one already in the global packages folder.
    /// </summary>
    public async Task<RuntimePack> LocateAsync(string packageId, NuGetVersion minimum, CancellationToken cancellationToken)
    {
        var resolver = new VersionFolderPathResolver(GlobalPackagesFolder);
        var local = LocalVersions(packageId).Where(v => Matches(v, minimum)).Max();
        if (local is not null)
        {
            return new RuntimePack(packageId, local, resolver.GetInstallPath(packageId, local), Downloaded: false, Source: GlobalPackagesFolder);
        }

        var sources = new PackageSourceProvider(settings).LoadPackageSources().Where(s => s.IsEnabled).ToList();
        if (sources.Count == 0)
        {
            throw new RuntimeLayerException($"{packageId} {minimum.Major}.{minimum.Minor}.x is not in the global packages folder ({GlobalPackagesFolder}) and no NuGet feed is configured for {settingsRoot}. Add a feed in NuGet.config, or use an image that has the .NET runtime.");
        }

        using var cache = new SourceCacheContext();
        var failures = new List<string>();
        (NuGetVersion Version, FindPackageByIdResource Finder, PackageSource Source)? best = null;
        foreach (var source in sources)
        {
            try
            {
                var finder = await Repository.Factory.GetCoreV3(source).GetResourceAsync<FindPackageByIdResource>(cancellationToken).ConfigureAwait(false);
                if (finder is null)
                {
                    failures.Add($"{source.Source}: not a package feed");
                    continue;
                }

                var versions = await finder.GetAllVersionsAsync(packageId, cache, NullLogger.Instance, cancellationToken).ConfigureAwait(false) ?? [];
                var candidate = versions.Where(v => Matches(v, minimum)).Max();
                if (candidate is not null && (best is null || candidate > best.Value.Version))
                {
                    best = (candidate, finder, source);
                }
            }
            catch (Exception ex) when (ex is FatalProtocolException or HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{source.Source}: {ex.Message}");
            }
        }

        if (best is not { } found)
        {
            var why = failures.Count > 0 ? $" Feeds that failed: {string.Join("; ", failures)}." : string.Empty;
            throw new RuntimeLayerException($"no version {minimum.Major}.{minimum.Minor}.x (at least {minimum}) of {packageId} was found on the configured NuGet feeds ({string.Join(", ", sources.Select(s => s.Source))}).{why} Make it available on a feed, or use an image that has the .NET runtime.");
        }

        var identity = new PackageIdentity(packageId, found.Version);
        var extraction = new PackageExtractionContext(PackageSaveMode.Defaultv3, XmlDocFileSaveMode.Skip, ClientPolicyContext.GetClientPolicy(settings, NullLogger.Instance), NullLogger.Instance);
        await PackageExtractor.InstallFromSourceAsync(
            found.Source.Source,
            identity,
            destination => found.Finder.CopyNupkgToStreamAsync(packageId, found.Version, destination, cache, NullLogger.Instance, cancellationToken),
            resolver,
            extraction,
            cancellationToken).ConfigureAwait(false);
        return new RuntimePack(packageId, found.Version, resolver.GetInstallPath(packageId, found.Version), Downloaded: true, Source: found.Source.Source);
    }

    private List<NuGetVersion> LocalVersions(string packageId)
    {
        var folder = Path.Combine(GlobalPackagesFolder, packageId.ToLowerInvariant());
        if (!Directory.Exists(folder))
        {
            return [];
        }

        // A folder counts only once its extraction finished (NuGet writes .nupkg.metadata last).
        return Directory.EnumerateDirectories(folder)
            .Where(d => File.Exists(Path.Combine(d, ".nupkg.metadata")))
            .Select(d => NuGetVersion.TryParse(Path.GetFileName(d), out var version) ? version : null)
            .OfType<NuGetVersion>()
            .ToList();
    }

    private static bool Matches(NuGetVersion version, NuGetVersion minimum) =>
        version.Major == minimum.Major && version.Minor == minimum.Minor && version >= minimum && (!version.IsPrerelease || minimum.IsPrerelease);
}
