namespace ContainerTest.Cli;

using System.CommandLine;
using ContainerTest.Cli.Projects;

/// <summary><c>dotnet containertest list [&lt;filter&gt;]</c>: the tests of a project as discovered, with their ids.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var filter = new Argument<string?>("filter") { Description = "Only the tests this `dotnet test --filter` expression selects.", Arity = ArgumentArity.ZeroOrOne };
        var project = new ProjectOptions();
        var command = new Command("list", "List the tests of a project as discovered: fully qualified name, display name, id.") { filter };
        foreach (var option in project.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => CliErrors.ReportAsync(
            async ct =>
            {
                var testAssembly = await project.BuildAsync(parse, ct).ConfigureAwait(false);
                var selection = await TestSelection.DiscoverAsync(testAssembly, parse.GetValue(filter), ct).ConfigureAwait(false);
                foreach (var testCase in selection.Selected)
                {
                    var display = testCase.DisplayName == testCase.FullyQualifiedName || testCase.FullyQualifiedName.EndsWith("." + testCase.DisplayName, StringComparison.Ordinal)
                        ? string.Empty
                        : $"  \"{testCase.DisplayName}\"";
                    Console.WriteLine($"{testCase.Id}  {testCase.FullyQualifiedName}{display}");
                }

                await Console.Error.WriteLineAsync($"{selection.Selected.Count} of {selection.All.Count} test(s) in {Path.GetFileName(testAssembly)}.").ConfigureAwait(false);
                return 0;
            },
            "list",
            cancellationToken));
        return command;
    }
}
