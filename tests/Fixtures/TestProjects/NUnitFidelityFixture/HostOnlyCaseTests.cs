namespace NUnitFidelityFixture;

using NUnit.Framework;

/// <summary>
/// A test case built from something only the host has (here an environment variable the run does
/// not pass on): discovery on the host finds it, the framework in the container does not.
/// </summary>
[TestFixture]
public sealed class HostOnlyCaseTests
{
    public static IEnumerable<string> Cases() =>
        Environment.GetEnvironmentVariable("FIXTURE_HOST_ONLY_CASE") is { Length: > 0 } name ? [name] : [];

    [TestCaseSource(nameof(Cases))]
    public void ExistsOnlyOnTheHost(string name) => Assert.That(name, Is.Not.Empty);
}
