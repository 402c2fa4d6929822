namespace ContainerTest.TestAdapter.RuntimeLayer;

/// <summary>The runtime layer cannot be made; the message names the cause and the fix.</summary>
internal sealed class RuntimeLayerException(string message) : Exception(message);
