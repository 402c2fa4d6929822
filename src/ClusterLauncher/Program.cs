using ContainerTest.ClusterLauncher;

// The launcher in a Swarm service task (see WorkerRelay and RunGuard). Argument: the mode,
// "worker" or "guard"; everything else comes from the service's environment and secret.
// Diagnostics go to stderr, where `docker service logs` shows them.
if (args is not ["worker" or "guard"])
{
    Console.Error.WriteLine("usage: ContainerTest.ClusterLauncher worker|guard");
    return 2;
}

try
{
    var environment = LauncherEnvironment.Read();
    using var engine = new EngineApi();
    if (args[0] == "worker")
    {
        using var relay = new WorkerRelay(environment, engine);
        return await relay.RunAsync().ConfigureAwait(false);
    }

    return await new RunGuard(environment, engine).RunAsync().ConfigureAwait(false);
}
catch (Exception ex) when (ex is InvalidOperationException or IOException or EngineException or HttpRequestException)
{
    await Console.Error.WriteLineAsync($"containertest launcher: {ex.Message}").ConfigureAwait(false);
    return 3;
}
