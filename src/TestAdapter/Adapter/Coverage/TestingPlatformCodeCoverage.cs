namespace ContainerTest.TestAdapter.Coverage;

/// <summary>
/// Microsoft's code coverage extension for Microsoft.Testing.Platform
/// (Microsoft.Testing.Extensions.CodeCoverage, <c>--coverage</c>) in a test application whose tests
/// run in sandboxes or containers. ContainerTest carries nothing of it into the jobs (the VSTest
/// collector's probe buffers come from run settings, which a test application has none of), and it could not be tried on this project's machines (its licence
/// keeps it off them), so a run that asks for it is told, instead of getting a report that misses
/// what the tests ran. coverlet's extension (coverlet.MTP, <c>--coverlet</c>) is measured in jobs.
/// </summary>
internal static class TestingPlatformCodeCoverage
{
    /// <summary>The extension's assembly in a test application's output folder.</summary>
    public const string AssemblyFileName = "Microsoft.Testing.Extensions.CodeCoverage.dll";

    /// <summary>
    /// The warning for a run of the application in <paramref name="applicationFolder"/> with
    /// <paramref name="arguments"/> (its command line): one when they ask for <c>--coverage</c> and
    /// the extension is there to answer it; null otherwise.
    /// </summary>
    public static string? Warning(string applicationFolder, IEnumerable<string> arguments)
    {
        if (!arguments.Any(a => a is "--coverage" || a.StartsWith("--coverage=", StringComparison.Ordinal))
            || !File.Exists(Path.Combine(applicationFolder, AssemblyFileName)))
        {
            return null;
        }

        return "ContainerTest: Microsoft's code coverage extension (--coverage, Microsoft.Testing.Extensions.CodeCoverage) is not carried into the sandboxes or containers the tests run in, so its report would miss what they ran there. "
            + "Use coverlet's extension (coverlet.MTP, --coverlet), which ContainerTest measures in each test's job, or run natively for this report (CONTAINERTEST=0).";
    }
}
