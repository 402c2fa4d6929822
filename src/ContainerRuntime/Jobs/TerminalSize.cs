namespace ContainerTest.ContainerRuntime.Jobs;

/// <summary>A terminal window's size in character cells.</summary>
public readonly record struct TerminalSize(int Columns, int Rows);
