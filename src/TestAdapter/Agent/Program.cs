using System.Runtime.Loader;
using ContainerTest.Agent;

// The agent runs with the test project's deps.json, which does not list the agent's own
// assemblies when they come from the ContainerTest package: find them beside the agent. This
// must happen before any of them is needed, so here, before AgentProgram is touched.
var agentFolder = AppContext.BaseDirectory;
AssemblyLoadContext.Default.Resolving += (context, name) =>
{
    var candidate = Path.Combine(agentFolder, name.Name + ".dll");
    return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
};

// The agent's whole life: read the request, run the one test case, report, exit.
// Exit codes: 0 ran (whatever the outcome), 2 could not run the test at all.
return await AgentProgram.RunAsync(args).ConfigureAwait(false);
