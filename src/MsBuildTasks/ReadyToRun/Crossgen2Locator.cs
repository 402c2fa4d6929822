namespace ContainerTest.MsBuildTasks.ReadyToRun;

using System.Diagnostics;

/// <summary>
/// Finds the ReadyToRun compiler (crossgen2, package <c>Microsoft.NETCore.App.Crossgen2.&lt;rid&gt;</c>,
/// the version the SDK itself uses for the target framework) in the NuGet global packages
/// folder, and when it is not there restores it with a throw-away project under the test
/// project's obj/ folder — a child <c>dotnet restore</c>, so the project's own NuGet.config and
/// feeds apply and none of NuGet's assemblies meet MSBuild's in this process.
/// </summary>
internal sealed class Crossgen2Locator(string packagesDirectory, string runtimeIdentifier, string version, string targetFramework)
{
    /// <summary>How long restoring the compiler may take.</summary>
    private static readonly TimeSpan RestoreTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The package's id.</summary>
    public string PackageId => "Microsoft.NETCore.App.Crossgen2." + runtimeIdentifier;

    /// <summary>The compiler's path in the global packages folder; null when it is not there.</summary>
    public string? Find()
    {
        var path = Path.Combine(packagesDirectory, PackageId.ToLowerInvariant(), version, "tools", "crossgen2");
        return File.Exists(path) ? path : null;
    }

    /// <summary>Restores the package; returns null on success, or what went wrong.</summary>
    public string? Restore(string workDirectory)
    {
        Directory.CreateDirectory(workDirectory);
        var project = Path.Combine(workDirectory, "crossgen2.csproj");
        File.WriteAllText(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <!-- Written by ContainerTest's build to fetch the ReadyToRun compiler; never built. -->
              <PropertyGroup>
                <TargetFramework>{targetFramework}</TargetFramework>
                <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>
                <ImportDirectoryBuildTargets>false</ImportDirectoryBuildTargets>
                <ImportDirectoryPackagesProps>false</ImportDirectoryPackagesProps>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageDownload Include="{PackageId}" Version="[{version}]" />
              </ItemGroup>
            </Project>
            """);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDirectory,
        };
        foreach (var argument in new[] { "restore", project, "-nologo", "--verbosity", "quiet", "-p:NuGetAudit=false" })
        {
            start.ArgumentList.Add(argument);
        }

        // The child is a build of its own: nothing of this build's MSBuild may leak into it.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("MSBUILD", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit((int)RestoreTimeout.TotalMilliseconds))
            {
                process.Kill(entireProcessTree: true);
                return $"restoring {PackageId} {version} took longer than {RestoreTimeout.TotalMinutes:0} minutes";
            }

            return process.ExitCode == 0 && Find() is not null
                ? null
                : $"restoring {PackageId} {version} from the project's package sources failed: {(output.Result + errors.Result).Trim()}";
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return $"dotnet could not be started to restore {PackageId}: {ex.Message}";
        }
    }
}
