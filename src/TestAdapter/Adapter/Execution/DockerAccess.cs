namespace ContainerTest.TestAdapter.Execution;

using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Network;
using ContainerTest.Protocol;
using ContainerTest.TestAdapter.Settings;

/// <summary>
/// What <see cref="ContainerTestSettings.DockerAccess"/> makes of a test's job. On: the engine's
/// socket where Docker clients look for it, and an open network, so the containers a test starts
/// are reachable at their published ports (a test with engine access can reach anything the engine
/// can, so a narrower policy would protect nothing). Off: where Docker clients look for the engine
/// there is a socket the agent serves, which answers that ContainerTest's sandbox blocked it
/// (<see cref="BlockedEngine"/>).
/// </summary>
internal static class DockerAccess
{
    /// <summary>Size of the tmpfs holding the blocked engine's socket (a socket takes no room).</summary>
    private const long BlockedEngineFolderBytes = 64 * 1024;

    /// <summary>The network policy tests run with.</summary>
    public static NetworkPolicy Network(ContainerTestSettings settings) => settings.DockerAccess ? NetworkPolicy.Open : settings.Network;

    /// <summary>What the user should be told once about how the two settings meet; null when nothing.</summary>
    public static string? Notice(ContainerTestSettings settings) =>
        settings.DockerAccess && settings.Network is AllowListNetworkPolicy or LoopbackNetworkPolicy
            ? $"ContainerTest: ContainerTestDockerAccess=true opens each test's network (the containers a test starts are reached at the ports the engine publishes, and a test with engine access can reach whatever the engine can); ContainerTestNetwork={settings.Network} does not apply."
            : null;

    /// <summary><paramref name="job"/> with the engine's socket, or with the blocked engine and the agent arguments that serve it.</summary>
    public static (JobSpec Job, IReadOnlyList<string> AgentArguments) Apply(JobSpec job, ContainerTestSettings settings)
    {
        if (settings.DockerAccess)
        {
            return (job with { Mounts = [.. job.Mounts, new EngineSocketMount()], Network = NetworkPolicy.Open }, []);
        }

        return (
            job with
            {
                Layers = [.. job.Layers, new SymlinkLayer(EngineSocketMount.DefaultPath, BlockedEngine.SocketPath)],
                Mounts = [.. job.Mounts, new TmpfsMount(BlockedEngine.Folder, BlockedEngineFolderBytes)],
            },
            [BlockedEngine.AgentArgument, BlockedEngine.SocketPath]);
    }
}
