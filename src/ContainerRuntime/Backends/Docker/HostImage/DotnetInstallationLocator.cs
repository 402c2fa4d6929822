namespace ContainerTest.ContainerRuntime.Backends.Docker.HostImage;

using System.Runtime.InteropServices;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// Finds the host's dotnet root the way the .NET host itself does: <c>DOTNET_ROOT_&lt;ARCH&gt;</c>,
/// <c>DOTNET_ROOT</c>, then the folder of the running <c>dotnet</c> executable (a testhost started
/// by <c>dotnet test</c> runs under it), then the root of the runtime this process runs on, then
/// the global install location file (<c>/etc/dotnet/install_location</c>) and the default
/// folders <c>/usr/share/dotnet</c> and <c>/usr/lib/dotnet</c>. The first candidate that holds a
/// muxer, a host resolver and a Microsoft.NETCore.App wins.
/// </summary>
internal static class DotnetInstallationLocator
{
    /// <summary>Finds the installation for this process, or throws a message naming what was tried and the fix.</summary>
    public static DotnetInstallation Locate() =>
        Locate(Environment.GetEnvironmentVariable, Environment.ProcessPath, RuntimeEnvironment.GetRuntimeDirectory(), RuntimeInformation.ProcessArchitecture);

    /// <summary>Finds the installation from the given facts (separate so tests can feed their own).</summary>
    public static DotnetInstallation Locate(
        Func<string, string?> environment,
        string? processPath,
        string? runtimeDirectory,
        Architecture architecture)
    {
        var tried = new List<string>();
        foreach (var (candidate, foundBy) in Candidates(environment, processPath, runtimeDirectory, architecture))
        {
            if (string.IsNullOrWhiteSpace(candidate) || !Path.IsPathFullyQualified(candidate))
            {
                continue;
            }

            tried.Add($"{candidate} ({foundBy})");
            var canonical = HostPathResolver.Canonicalize(candidate);
            if (canonical is not null && DotnetInstallation.LooksUsable(canonical))
            {
                return new DotnetInstallation(canonical, foundBy);
            }
        }

        throw new ContainerRuntimeException(
            "The host image is made from this machine's own .NET runtime, and no .NET runtime was found "
            + $"(looked in: {string.Join(", ", tried)}). Install the .NET runtime, or set DOTNET_ROOT to the folder that holds "
            + "'dotnet' and 'shared/Microsoft.NETCore.App', or set ContainerTestImage to an image with .NET (for example mcr.microsoft.com/dotnet/runtime:8.0).",
            RetryClass.NotRetryable);
    }

    private static IEnumerable<(string? Path, string FoundBy)> Candidates(
        Func<string, string?> environment,
        string? processPath,
        string? runtimeDirectory,
        Architecture architecture)
    {
        var architectureVariable = "DOTNET_ROOT_" + architecture.ToString().ToUpperInvariant();
        yield return (environment(architectureVariable), architectureVariable);
        yield return (environment("DOTNET_ROOT"), "DOTNET_ROOT");

        if (processPath is not null && string.Equals(Path.GetFileName(processPath), "dotnet", StringComparison.Ordinal))
        {
            // Resolve links first: /usr/bin/dotnet is usually a link into the real root.
            var muxer = HostPathResolver.Canonicalize(processPath) ?? processPath;
            yield return (Path.GetDirectoryName(muxer), "the running dotnet executable");
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>: the runtime this very process runs on.
        if (runtimeDirectory is not null)
        {
            var versionDirectory = new DirectoryInfo(runtimeDirectory.TrimEnd('/'));
            if (versionDirectory.Parent is { Name: "Microsoft.NETCore.App" } framework
                && framework.Parent is { Name: "shared" } shared
                && shared.Parent is { } root)
            {
                yield return (root.FullName, "the runtime this process runs on");
            }
        }

        var architectureName = architecture.ToString().ToLowerInvariant();
        foreach (var locationFile in new[] { $"/etc/dotnet/install_location_{architectureName}", "/etc/dotnet/install_location" })
        {
            if (File.Exists(locationFile))
            {
                string? line;
                try
                {
                    line = File.ReadLines(locationFile).FirstOrDefault()?.Trim();
                }
                catch (IOException)
                {
                    line = null;
                }
                catch (UnauthorizedAccessException)
                {
                    line = null;
                }

                yield return (line, locationFile);
            }
        }

        yield return ("/usr/share/dotnet", "the default location");
        yield return ("/usr/lib/dotnet", "the default location of distribution packages");
    }
}
