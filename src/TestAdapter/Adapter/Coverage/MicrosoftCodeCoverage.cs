namespace ContainerTest.TestAdapter.Coverage;

/// <summary>
/// Microsoft's code coverage collector (Microsoft.CodeCoverage, <c>--collect "Code Coverage"</c>)
/// measures the test host it attaches its profiler to, and its static instrumentation reports
/// through files and a socket in the host's temp folder; neither reaches a test's container, so
/// with ContainerTest its report does not cover the code the tests ran. Until it does, the run says
/// so once (see <see cref="Warning"/>).
/// </summary>
internal static class MicrosoftCodeCoverage
{
    /// <summary>What the run says when the collector is on and tests run in containers.</summary>
    public const string Warning =
        "ContainerTest: Microsoft's Code Coverage collector (--collect \"Code Coverage\") measures this test host only, not the tests' containers, so its report does not cover the code the tests ran. "
        + "Use coverlet.collector (--collect \"XPlat Code Coverage\"), whose report ContainerTest fills from every container, or run natively for Microsoft's collector (CONTAINERTEST=0).";

    private static readonly RunSettingsDataCollector Collector = new("Code Coverage", "datacollector://Microsoft/CodeCoverage/2.0");

    /// <summary>True when the run settings enable Microsoft's code coverage data collector.</summary>
    public static bool IsEnabled(string? runSettingsXml) => Collector.IsEnabledIn(runSettingsXml);
}
