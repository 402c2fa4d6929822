namespace ContainerTest.Protocol;

/// <summary>
/// What a test without Docker access finds where Docker clients look for the engine
/// (/var/run/docker.sock): a socket the agent serves, which answers every request with
/// <see cref="Message"/> (HTTP 403, as the engine answers a request it refuses) and tells the
/// test's result that the sandbox blocked the engine, and which setting allows it.
/// </summary>
public static class BlockedEngine
{
    /// <summary>The agent argument naming the socket to serve.</summary>
    public const string AgentArgument = "--blocked-engine";

    /// <summary>The folder (a tmpfs of its own in every sandbox or container) that holds the socket.</summary>
    public const string Folder = "/.containertest/engine";

    /// <summary>The socket the agent serves; /var/run/docker.sock links to it.</summary>
    public const string SocketPath = Folder + "/docker.sock";

    /// <summary>What the test (its Docker client, and its result) is told.</summary>
    public const string Message =
        "ContainerTest's sandbox blocked this test's access to the Docker Engine (it connected to /var/run/docker.sock): tests reach no engine unless allowed. "
        + "To let tests use the engine (Testcontainers and the like), set the MSBuild property ContainerTestDockerAccess=true, <DockerAccess>true</DockerAccess> in the runsettings <ContainerTest> section, or the environment variable CONTAINERTEST_DOCKER_ACCESS=1. "
        + "A test with engine access can do anything the engine can (see ContainerTest's SECURITY.md).";
}
