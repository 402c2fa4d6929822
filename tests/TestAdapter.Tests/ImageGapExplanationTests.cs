namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Execution;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// Pure logic, on the texts a runtime-only <c>dotnet</c> 10 prints (the host image's, as the
/// container test in ImageGapTests meets them): a file the container does not have is not taken for
/// a missing SDK.
/// </summary>
[TestClass]
public sealed class ImageGapExplanationTests
{
    private const string MissingFile = """
        The command could not be loaded, possibly because:
          * You intended to execute a .NET application:
              The application '/tmp/repo/Child/bin/Debug/net10.0/Child.dll' does not exist or is not a managed .dll or .exe.
          * You intended to execute a .NET SDK command:
              No .NET SDKs were found.
        """;

    private const string SdkCommand = """
        The command could not be loaded, possibly because:
          * You intended to execute a .NET application:
              The application 'publish' does not exist or is not a managed .dll or .exe.
          * You intended to execute a .NET SDK command:
              No .NET SDKs were found.
        """;

    [TestMethod]
    public void A_dll_the_container_does_not_have_is_named_with_what_the_container_sees()
    {
        var result = Failed(MissingFile);

        ImageGaps.Explain(result, configuredImage: null);

        StringAssert.Contains(result.ErrorMessage, "the test started 'dotnet /tmp/repo/Child/bin/Debug/net10.0/Child.dll', a file the test's container does not have");
        StringAssert.Contains(result.ErrorMessage, "ContainerTestReadOnlyPaths");
        Assert.IsFalse(result.ErrorMessage!.Contains("needs the .NET SDK", StringComparison.Ordinal), result.ErrorMessage);
    }

    [TestMethod]
    public void An_sdk_command_is_still_told_the_image_has_the_runtime_only()
    {
        var result = Failed(SdkCommand);

        ImageGaps.Explain(result, configuredImage: null);

        StringAssert.Contains(result.ErrorMessage, "ContainerTest: the test needs the .NET SDK");
    }

    private static TestResult Failed(string message) =>
        new(new TestCase("Fixture.Test", new Uri("executor://fixture"), "/tmp/Fixture.dll")) { Outcome = TestOutcome.Failed, ErrorMessage = message };
}
