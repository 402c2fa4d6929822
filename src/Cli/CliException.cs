namespace ContainerTest.Cli;

/// <summary>A problem the user can fix, told in one message naming its cause and the fix; never a stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);
