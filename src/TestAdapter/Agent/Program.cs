using System.Runtime.Loader;
using ContainerTest.Agent;
using ContainerTest.Protocol;

// The agent runs with the test project's deps.json, which does not list the agent's own
// assemblies when they come from the ContainerTest package: the package keeps them in
// .containertest/runtime/ (away from the test's own copies of common assemblies). This must
// happen before any of them is needed, so here, before AgentProgram is touched.
string[] privateFolders = [AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, ".containertest", "runtime")];
AssemblyLoadContext.Default.Resolving += (context, name) =>
{
    foreach (var folder in privateFolders)
    {
        var candidate = Path.Combine(folder, name.Name + ".dll");
        if (File.Exists(candidate))
        {
            return context.LoadFromAssemblyPath(candidate);
        }
    }

    return null;
};

// Started only to show that the runtime starts in the image (see AgentProbe).
if (args is [AgentProbe.Argument])
{
    Console.WriteLine($"{AgentProbe.Reply} {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription} {System.Globalization.CultureInfo.InvariantCulture.CompareInfo.Compare("a", "B", System.Globalization.CompareOptions.IgnoreCase)}");
    return 0;
}

// On the host, for `dotnet containertest list/run/shell`: discover and print the test cases.
if (args.Length == 2 && args[0] == "--discover")
{
    return AgentDiscovery.Run(args[1]);
}

// The agent's whole life: read the request, run the one test case, report, exit.
// Exit codes: 0 ran (whatever the outcome), 2 could not run the test at all.
return await AgentProgram.RunAsync(args).ConfigureAwait(false);
