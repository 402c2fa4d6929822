using System.CommandLine;
using ContainerTest.Cli;

var root = new RootCommand("ContainerTest: every test in its own container.")
{
    CleanCommand.Create(),
    PinCommand.Create(),
};

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
