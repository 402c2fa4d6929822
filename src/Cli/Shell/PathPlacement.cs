namespace ContainerTest.Cli.Shell;

/// <summary>Where the toolbox goes in the shell's PATH.</summary>
internal enum PathPlacement
{
    /// <summary>Last: the image's own tools win (the default).</summary>
    Append,

    /// <summary>First: the toolbox's tools win.</summary>
    Prepend,

    /// <summary>Not in PATH: call them as /.containertest/bin/ls.</summary>
    None,
}
