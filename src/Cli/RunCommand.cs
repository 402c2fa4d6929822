namespace ContainerTest.Cli;

using System.CommandLine;
using ContainerTest.Cli.Projects;
using ContainerTest.Cli.Running;
using ContainerTest.TestAdapter.Execution;

/// <summary>
/// <c>dotnet containertest run [&lt;filter&gt;]</c>: runs tests in their containers outside
/// `dotnet test` (the same jobs it runs), with live progress and a summary; <c>--repeat</c> and
/// <c>--stop-after</c> hunt flaky tests.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var filter = new Argument<string?>("filter") { Description = "Only the tests this `dotnet test --filter` expression selects.", Arity = ArgumentArity.ZeroOrOne };
        var repeat = new Option<int>("--repeat") { Description = "Run each selected test this many times (each in a fresh container).", DefaultValueFactory = _ => 1 };
        var stopAfter = new Option<int?>("--stop-after") { Description = "Stop the run after this many failures." };
        var project = new ProjectOptions();
        var command = new Command("run", "Run tests, each in its own container, with live progress and a summary.") { filter, repeat, stopAfter };
        foreach (var option in project.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => CliErrors.ReportAsync(
            async ct =>
            {
                if (parse.GetValue(repeat) < 1 || parse.GetValue(stopAfter) is < 1)
                {
                    throw new CliException("--repeat and --stop-after take a whole number of at least 1.");
                }

                var testAssembly = await project.BuildAsync(parse, ct).ConfigureAwait(false);
                var selection = await TestSelection.DiscoverAsync(testAssembly, parse.GetValue(filter), ct).ConfigureAwait(false);
                var testCases = Enumerable.Repeat(selection.Selected, parse.GetValue(repeat)).SelectMany(t => t).ToList();
                return await RunAsync(testAssembly, testCases, parse.GetValue(stopAfter), ct).ConfigureAwait(false);
            },
            "run",
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string testAssembly, List<Microsoft.VisualStudio.TestPlatform.ObjectModel.TestCase> testCases, int? stopAfter, CancellationToken cancellationToken)
    {
        if (testCases.Count == 0)
        {
            throw new CliException($"No test selected in {Path.GetFileName(testAssembly)}: `dotnet containertest list` shows them.");
        }

        var settings = TestSettings.Load(testAssembly);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var progress = new RunProgress(testCases.Count, stopAfter);
        progress.FailureLimitReached += (_, _) => stop.Cancel();
        var attachments = Path.Combine(Path.GetTempPath(), "containertest-run-" + Guid.NewGuid().ToString("N")[..8]);
        await new ContainerizedRun(settings, runSettingsXml: null, attachments, new SynchronizedFrameworkHandle(progress)).RunAsync(testCases, stop.Token).ConfigureAwait(false);
        Console.Out.WriteLine(progress.Summary(stopped: stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested));
        return progress.Failed > 0 || cancellationToken.IsCancellationRequested ? 1 : 0;
    }
}
