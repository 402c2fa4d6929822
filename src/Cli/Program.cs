using System.CommandLine;
using ContainerTest.Cli;

var root = new RootCommand("ContainerTest: every test in its own container.")
{
    ShellCommand.Create(),
    ListCommand.Create(),
    RunCommand.Create(),
    CleanCommand.Create(),
    PinCommand.Create(),
};

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
