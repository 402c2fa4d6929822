namespace ContainerTest.Cli.Projects;

using System.Diagnostics;
using System.Text.Json.Nodes;
using ContainerTest.Protocol;
using ContainerTest.TestAdapter.Execution;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// The tests of a built test assembly, as <c>dotnet test</c> discovers them: through the
/// framework's own adapter, run by ContainerTest's agent on this machine with the test's own
/// runtimeconfig and deps (as vstest starts its test host). Identities are the framework's.
/// </summary>
internal static class TestDiscovery
{
    public static async Task<IReadOnlyList<TestCase>> DiscoverAsync(string testAssembly, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(testAssembly)!;
        var name = Path.GetFileNameWithoutExtension(testAssembly);
        var agent = Path.Combine(folder, TestJobBuilder.AgentFileName);
        if (!File.Exists(agent))
        {
            throw new CliException($"{testAssembly} is not built with ContainerTest ({TestJobBuilder.AgentFileName} is not beside it): add the ContainerTest package to the test project and build it.");
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var argument in new[] { "exec", "--runtimeconfig", Path.Combine(folder, name + ".runtimeconfig.json"), "--depsfile", Path.Combine(folder, name + ".deps.json"), agent, "--discover", testAssembly })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new CliException("Could not start `dotnet`: is .NET on PATH?");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var testCases = new List<TestCase>();
        while (await process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith('[') && JsonNode.Parse(line) is JsonArray properties)
            {
                var testCase = new TestCase();
                TestObjectJson.ReadProperties(properties, testCase);
                testCases.Add(testCase);
            }
        }

        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var errors = (await stderr.ConfigureAwait(false)).Trim();
        if (process.ExitCode != 0)
        {
            throw new CliException($"Discovering the tests of {testAssembly} failed: {errors}");
        }

        if (errors.Length > 0)
        {
            await Console.Error.WriteLineAsync(errors).ConfigureAwait(false);
        }

        return testCases;
    }
}
