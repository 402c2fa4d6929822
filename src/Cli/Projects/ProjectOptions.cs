namespace ContainerTest.Cli.Projects;

using System.CommandLine;

/// <summary>The options that say which test project a command works on, shared by shell, list and run.</summary>
internal sealed class ProjectOptions
{
    public Option<string?> Project { get; } = new("--project", "-p") { Description = "The test project (file or folder; default: the current folder), or a built test assembly (.dll)." };

    public Option<string> Configuration { get; } = new("--configuration", "-c") { Description = "The build configuration.", DefaultValueFactory = _ => "Debug" };

    public Option<bool> NoBuild { get; } = new("--no-build") { Description = "Do not build the project first." };

    public IEnumerable<Option> All => [Project, Configuration, NoBuild];

    public Task<string> BuildAsync(ParseResult parse, CancellationToken cancellationToken) =>
        TestProject.BuildAsync(parse.GetValue(Project), parse.GetValue(Configuration) ?? "Debug", parse.GetValue(NoBuild), cancellationToken);
}
