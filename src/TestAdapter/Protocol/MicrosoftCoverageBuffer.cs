namespace ContainerTest.Protocol;

/// <summary>
/// A probe buffer of Microsoft's code coverage collector (Microsoft.CodeCoverage, <c>--collect "Code Coverage"</c>).
/// Before the test host starts, the collector statically instruments each module of the test's
/// output folder that its filters include, and creates a file per module in the host's temp folder,
/// <c>$CODE_COVERAGE_DATA_PREFIX</c> + <c>b</c> + a GUID (for example
/// <c>/tmp/CodeCoverage.&lt;session&gt;.b&lt;guid&gt;</c>): one byte per probe, 0 until the probe
/// runs, then 1. The instrumented module names that path as a literal and maps the file shared when
/// it first runs, falling back to private memory (hits lost) when it cannot. The collector reads the
/// files when the session ends. Observed with Microsoft.CodeCoverage 18.11 (strace and the files'
/// contents before and after a test). A test's job gets a zeroed file of the same length at the same
/// path, and the agent sends back which probes ran (<see cref="MicrosoftCoverageProbes"/>).
/// </summary>
/// <param name="Path">The buffer's absolute path, the same inside the job as on the host.</param>
/// <param name="Length">Its length in bytes: the module's number of probes.</param>
public sealed record MicrosoftCoverageBuffer(string Path, int Length);
