namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// Tests that need what the host image lacks, through the real `dotnet test`: both pass natively;
/// in containers each fails with the framework's own message followed by a sentence saying what
/// the image lacks (a program, the .NET SDK) and how to get it.
/// </summary>
[TestClass]
public sealed class ImageGapTests
{
    private const string Project = "tests/Fixtures/TestProjects/MSTestFidelityFixture/MSTestFidelityFixture.csproj";
    private static DotnetTest.Outcome native = null!;
    private static DotnetTest.Outcome run = null!;

    [ClassInitialize]
    public static async Task RunFixtureAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = DotnetTest.PathOf(Project);
        await DotnetTest.BuildAsync(path, context.CancellationToken);
        string[] filter = ["--filter", "FullyQualifiedName~ImageTests"];
        native = await DotnetTest.TestAsync(path, filter, new Dictionary<string, string> { ["CONTAINERTEST"] = "0" }, cancellationToken: context.CancellationToken);
        run = await DotnetTest.TestAsync(path, filter, cancellationToken: context.CancellationToken);
    }

    [TestMethod]
    public void A_program_the_image_lacks_is_named_with_the_way_to_get_it()
    {
        Assert.AreEqual("Passed", native.Report.Single("StartsAShell").Outcome, native.Output);
        var result = run.Report.Single("StartsAShell");
        Assert.AreEqual("Failed", result.Outcome, run.Output);
        StringAssert.StartsWith(result.ErrorMessage, "Test method MSTestFidelityFixture.ImageTests.StartsAShell threw exception", "the framework's message comes first");
        StringAssert.Contains(result.ErrorMessage, "ContainerTest: the program '/bin/sh' does not exist in the test's container: ContainerTest's host image (this machine's .NET runtime and the libraries it loads, no other programs) lacks it.");
        StringAssert.Contains(result.ErrorMessage, "set ContainerTestImage");
    }

    [TestMethod]
    public void A_test_that_needs_the_SDK_is_told_the_image_has_the_runtime_only()
    {
        Assert.AreEqual("Passed", native.Report.Single("UsesTheSdk").Outcome, native.Output);
        var result = run.Report.Single("UsesTheSdk");
        Assert.AreEqual("Failed", result.Outcome, run.Output);
        StringAssert.Contains(result.ErrorMessage, "No .NET SDKs were found");
        StringAssert.Contains(result.ErrorMessage, "ContainerTest: the test needs the .NET SDK, and ContainerTest's host image");
        StringAssert.Contains(result.ErrorMessage, "ContainerTestImage=mcr.microsoft.com/dotnet/sdk:<version>");
    }
}
