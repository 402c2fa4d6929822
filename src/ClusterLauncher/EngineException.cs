namespace ContainerTest.ClusterLauncher;

/// <summary>The node's engine refused a request; the message is the engine's own.</summary>
internal sealed class EngineException(string message) : Exception(message);
