namespace ContainerTest.TestAdapter.Execution;

using System.Text.RegularExpressions;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// A failed result whose cause is something the test's image lacks — a program the test starts
/// (<c>/bin/sh</c>, <c>sleep</c>…), or the .NET SDK a test that runs <c>dotnet publish</c> needs —
/// or a file outside what the container sees (<c>dotnet ../Other/bin/Other.dll</c>), gets a
/// sentence saying so and how to get it. The host image holds the .NET runtime and the
/// libraries it loads, nothing else. The framework's own message stays as it is, first.
/// </summary>
internal static class ImageGaps
{
    private static readonly Regex MissingProgram = new(
        @"An error occurred trying to start process '(?<program>[^']+)'[^\n]*No such file or directory",
        RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(1));

    private static readonly string[] MissingSdk = ["No .NET SDKs were found", "A compatible .NET SDK was not found"];

    /// <summary>
    /// What a runtime-only <c>dotnet</c> says for <c>dotnet some.dll</c> when the file is not there,
    /// beside its "No .NET SDKs were found" (for the other reading, an SDK command); for
    /// <c>dotnet publish</c> it says the same of "publish", which is no file (hence the path or .dll).
    /// </summary>
    private static readonly Regex MissingApplication = new(
        @"The application '(?<path>[^']*(?:/|\.dll)[^']*)' does not exist",
        RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(1));

    /// <summary>Adds the explanation to a failed <paramref name="result"/> when its text shows such a cause.</summary>
    /// <param name="result">A result as the framework reported it.</param>
    /// <param name="configuredImage">ContainerTestImage, or null for the host image.</param>
    public static void Explain(TestResult result, string? configuredImage)
    {
        if (result.Outcome != TestOutcome.Failed)
        {
            return;
        }

        var text = string.Join('\n', new[] { result.ErrorMessage, result.ErrorStackTrace }.Concat(result.Messages.Select(m => m.Text)).Where(t => !string.IsNullOrEmpty(t)));
        var image = configuredImage is null
            ? "ContainerTest's host image (this machine's .NET runtime and the libraries it loads, no other programs)"
            : $"the image '{configuredImage}' (ContainerTestImage)";
        string? explanation = null;
        if (MissingProgram.Match(text) is { Success: true } match)
        {
            explanation = $"ContainerTest: the program '{match.Groups["program"].Value}' does not exist in the test's container: {image} lacks it. "
                + "Run the tests in an image that has it: set ContainerTestImage (for example to mcr.microsoft.com/dotnet/runtime:<version>, which has a shell and the usual tools, or an image of your own).";
        }
        else if (MissingApplication.Match(text) is { Success: true } application)
        {
            explanation = $"ContainerTest: the test started 'dotnet {application.Groups["path"].Value}', a file the test's container does not have: it sees the test's output folder and, read-only, the source tree (ContainerTestSourceRoot) and the folders of ContainerTestReadOnlyPaths. "
                + "Widen what it sees with those settings, or copy the file into the output folder.";
        }
        else if (MissingSdk.Any(m => text.Contains(m, StringComparison.Ordinal)))
        {
            explanation = $"ContainerTest: the test needs the .NET SDK, and {image} has the .NET runtime only. "
                + "Run such tests in an SDK image (ContainerTestImage=mcr.microsoft.com/dotnet/sdk:<version>), or leave them out of the containerized run (--filter).";
        }

        if (explanation is not null)
        {
            result.ErrorMessage = string.IsNullOrEmpty(result.ErrorMessage) ? explanation : result.ErrorMessage + Environment.NewLine + explanation;
        }
    }
}
