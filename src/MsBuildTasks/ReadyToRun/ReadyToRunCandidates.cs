namespace ContainerTest.MsBuildTasks.ReadyToRun;

using System.Reflection.PortableExecutable;

/// <summary>
/// Which assemblies of a test's output are worth compiling ahead of time: those every test
/// loads and JIT-compiles afresh in its sandbox — the test framework and its VSTest adapter
/// (MSTest, xUnit, NUnit), the test platform's object model, and ContainerTest's agent — and that
/// are not ReadyToRun already. The test's own assemblies are not: they change with every build,
/// and their code is a small part of what a test compiles.
/// </summary>
internal static class ReadyToRunCandidates
{
    private static readonly string[] Prefixes =
    [
        "MSTest.", "MSTestAdapter.", "Microsoft.TestPlatform.", "Microsoft.VisualStudio.TestPlatform.", "Microsoft.Testing.",
        "xunit.", "nunit.", "NUnit3.", "ContainerTest.Agent", "ContainerTest.Protocol",
    ];

    /// <summary>
    /// The candidates among the output's assemblies, by path relative to <paramref name="outputDirectory"/>:
    /// the test platform's and frameworks' assemblies in its root, and every framework adapter in
    /// <c>.containertest/adapters/</c>.
    /// </summary>
    public static IReadOnlyList<string> In(string outputDirectory)
    {
        var root = Directory.EnumerateFiles(outputDirectory, "*.dll")
            .Where(f => Prefixes.Any(p => Path.GetFileName(f).StartsWith(p, StringComparison.OrdinalIgnoreCase)));
        var adaptersFolder = Path.Combine(outputDirectory, ".containertest", "adapters");
        var adapters = Directory.Exists(adaptersFolder) ? Directory.EnumerateFiles(adaptersFolder, "*.dll") : [];
        return root.Concat(adapters)
            .Where(IsIntermediateLanguageOnly)
            .Select(f => Path.GetRelativePath(outputDirectory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>True for a managed assembly with no precompiled code (not ReadyToRun, not mixed-mode).</summary>
    public static bool IsIntermediateLanguageOnly(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new PEReader(stream);
            var cli = reader.PEHeaders.CorHeader;
            return cli is not null
                && cli.ManagedNativeHeaderDirectory.Size == 0
                && (cli.Flags & CorFlags.ILOnly) != 0;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
