namespace ContainerTest.TestAdapter.Coverage;

/// <summary>
/// Whether the run collects coverage with coverlet.collector (<c>--collect "XPlat Code Coverage"</c>,
/// or its entry in runsettings): then, or when coverlet.msbuild instrumented the output folder (see
/// <see cref="CoverletInstrumentation"/>), the agents look for coverlet's trackers after their test,
/// which costs a reflection pass over the loaded assemblies (about 20 ms of CPU).
/// </summary>
internal static class CoverletCollector
{
    private static readonly RunSettingsDataCollector Collector = new("XPlat code coverage", "datacollector://Microsoft/CoverletCodeCoverage/1.0");

    /// <summary>True when the run settings enable coverlet's data collector.</summary>
    public static bool IsEnabled(string? runSettingsXml) => Collector.IsEnabledIn(runSettingsXml);
}
