namespace ContainerTest.MsBuildTasks;

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using ContainerTest.MsBuildTasks.ReadyToRun;
using Microsoft.Build.Framework;

/// <summary>
/// Compiles the test framework's assemblies of a test's output ahead of time (ReadyToRun, with
/// crossgen2), for Linux on this machine's architecture, so that the agent in every sandbox runs
/// precompiled framework code instead of JIT-compiling it afresh for each test (measured on this
/// project's 2-core machine: the agent's one MSTest test took 0.17 CPU-s, 0.12 with the
/// framework precompiled). The copies keep their names, identities and relative paths and are
/// laid, in each test's sandbox or container only, over the output folder; native runs never see
/// them. Each assembly is compiled once per machine (cached by content hash under the runtime
/// cache); a build with nothing new copies nothing. Whatever fails (no compiler for this
/// framework, no feed that has it), the build goes on and the tests run JIT-compiled, as before.
/// </summary>
public sealed class CompileReadyToRun : Microsoft.Build.Utilities.Task
{
    /// <summary>The test's output folder (<c>$(OutDir)</c>).</summary>
    [Required]
    public string OutputDirectory { get; set; } = string.Empty;

    /// <summary>The target framework's version, <c>10.0</c> (<c>$(_TargetFrameworkVersionWithoutV)</c>).</summary>
    [Required]
    public string TargetFrameworkVersion { get; set; } = string.Empty;

    /// <summary>The crossgen2 version the SDK uses for that framework (<c>KnownCrossgen2Pack</c>'s <c>Crossgen2PackVersion</c>).</summary>
    public string Crossgen2Version { get; set; } = string.Empty;

    /// <summary>The NuGet global packages folder (<c>$(NuGetPackageRoot)</c>).</summary>
    [Required]
    public string PackagesDirectory { get; set; } = string.Empty;

    /// <summary>The .NET installation whose shared framework the assemblies are compiled against (<c>$(NetCoreRoot)</c>).</summary>
    [Required]
    public string NetCoreRoot { get; set; } = string.Empty;

    /// <summary>A folder of the project's obj/ for restoring the compiler.</summary>
    [Required]
    public string WorkDirectory { get; set; } = string.Empty;

    /// <summary>Where compiled assemblies are kept between builds (<c>$CONTAINERTEST_CACHE</c> or <c>~/.cache/containertest</c>); empty for the default.</summary>
    public string CacheDirectory { get; set; } = string.Empty;

    /// <summary>
    /// The folder laid over the output in each sandbox: the compiled copies at their paths
    /// relative to the output (a folder of the cache named <c>linux-&lt;arch&gt;-&lt;hash&gt;</c>); empty when none was made.
    /// </summary>
    [Output]
    public string Layer { get; set; } = string.Empty;

    /// <inheritdoc />
    public override bool Execute()
    {
        var architecture = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            _ => null,
        };
        if (!OperatingSystem.IsLinux() || architecture is null)
        {
            Log.LogMessage(MessageImportance.Low, "ContainerTest: no ReadyToRun precompilation on this build machine (Linux on x64 or arm64 only); tests run JIT-compiled.");
            return true;
        }

        var candidates = ReadyToRunCandidates.In(OutputDirectory);
        if (candidates.Count == 0 || Crossgen2Version.Length == 0 || FrameworkDirectory() is not { } framework)
        {
            Log.LogMessage(MessageImportance.Low, $"ContainerTest: nothing to precompile for .NET {TargetFrameworkVersion} ({candidates.Count} candidate(s), crossgen2 '{Crossgen2Version}', shared framework {(FrameworkDirectory() is null ? "not installed" : "found")}).");
            return true;
        }

        var locator = new Crossgen2Locator(PackagesDirectory, "linux-" + architecture, Crossgen2Version, "net" + TargetFrameworkVersion);
        var crossgen2 = locator.Find();
        var unavailable = Path.Combine(WorkDirectory, $"{locator.PackageId}.{Crossgen2Version}.unavailable");
        if (crossgen2 is null && !File.Exists(unavailable))
        {
            Log.LogMessage(MessageImportance.Normal, $"ContainerTest: restoring {locator.PackageId} {Crossgen2Version} to precompile the test framework for the sandboxes.");
            if (locator.Restore(Path.Combine(WorkDirectory, "crossgen2")) is { } failure)
            {
                Directory.CreateDirectory(WorkDirectory);
                File.WriteAllText(unavailable, failure);
                Log.LogWarning(null, "CT0010", null, null, 0, 0, 0, 0, $"ContainerTest: the test framework is not precompiled for the sandboxes (tests run, JIT-compiled, about 0.05 CPU-s more each): {failure}. Not tried again until {unavailable} is deleted; ContainerTestReadyToRun=false turns this off.");
                return true;
            }

            crossgen2 = locator.Find();
        }

        if (crossgen2 is null)
        {
            return true;
        }

        var cache = Path.Combine(CacheDirectory.Length > 0 ? CacheDirectory : DefaultCache(), "r2r");
        var compiled = new List<(string Relative, string Cached)>();
        foreach (var relative in candidates)
        {
            var input = Path.Combine(OutputDirectory, relative);
            var cached = Path.Combine(cache, "assemblies", $"linux-{architecture}", Crossgen2Version, Hash(File.ReadAllBytes(input)) + ".dll");
            if (!File.Exists(cached) && !Compile(crossgen2, input, cached, architecture, framework))
            {
                continue;
            }

            compiled.Add((relative, cached));
        }

        if (compiled.Count == 0)
        {
            return true;
        }

        Layer = EnsureLayer(Path.Combine(cache, "layers"), architecture, compiled);
        return true;
    }

    /// <summary>The default cache, as the runtime has it: $XDG_CACHE_HOME/containertest or ~/.cache/containertest.</summary>
    private static string DefaultCache()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(xdg is { Length: > 0 } ? xdg : Path.Combine(home.Length > 0 ? home : Path.GetTempPath(), ".cache"), "containertest");
    }

    /// <summary>A folder holding exactly these compiled assemblies at their relative paths, made once (named by their hash).</summary>
    private static string EnsureLayer(string layers, string architecture, List<(string Relative, string Cached)> compiled)
    {
        var key = Hash(Encoding.UTF8.GetBytes(string.Join("\n", compiled.Select(c => c.Relative + "=" + Path.GetFileName(c.Cached)))));
        var layer = Path.Combine(layers, $"linux-{architecture}-{key[..16]}");
        if (Directory.Exists(layer))
        {
            return layer;
        }

        var staging = layer + "." + Guid.NewGuid().ToString("N")[..8];
        foreach (var (relative, cached) in compiled)
        {
            var target = Path.Combine(staging, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(cached, target);
        }

        try
        {
            Directory.Move(staging, layer);
        }
        catch (IOException) when (Directory.Exists(layer))
        {
            Directory.Delete(staging, recursive: true); // another build made it first
        }

        return layer;
    }

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    /// <summary>The newest installed shared framework of the target framework's major version, or null.</summary>
    private string? FrameworkDirectory()
    {
        var shared = Path.Combine(NetCoreRoot, "shared", "Microsoft.NETCore.App");
        var major = TargetFrameworkVersion.Split('.')[0] + ".";
        return Directory.Exists(shared)
            ? Directory.EnumerateDirectories(shared)
                .Where(d => Path.GetFileName(d).StartsWith(major, StringComparison.Ordinal) && Version.TryParse(Path.GetFileName(d).Split('-')[0], out _))
                .OrderByDescending(d => Version.Parse(Path.GetFileName(d).Split('-')[0]))
                .FirstOrDefault()
            : null;
    }

    private bool Compile(string crossgen2, string input, string cached, string architecture, string framework)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
        var temporary = cached + "." + Guid.NewGuid().ToString("N")[..8];
        var start = new ProcessStartInfo(crossgen2) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            input, "-o", temporary, "--targetos:linux", "--targetarch:" + architecture, "-O",
            "-r", Path.Combine(framework, "*.dll"),
            "-r", Path.Combine(OutputDirectory, "*.dll"),
            "-r", Path.Combine(OutputDirectory, ".containertest", "adapters", "*.dll"),
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(temporary))
        {
            Log.LogMessage(MessageImportance.Normal, $"ContainerTest: crossgen2 could not precompile {Path.GetFileName(input)} (it runs JIT-compiled): {(output.Result + errors.Result).Trim()}");
            File.Delete(temporary);
            return false;
        }

        File.Move(temporary, cached, overwrite: true);
        return true;
    }
}
