using ContainerTest.Agent;

// The agent's whole life: read the request, run the one test case, report, exit.
// Exit codes: 0 ran (whatever the outcome), 2 could not run the test at all.
return await AgentProgram.RunAsync(args).ConfigureAwait(false);
