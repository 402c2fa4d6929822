namespace ContainerTest.ContainerRuntime;

/// <summary>What a leftover is.</summary>
public enum LeftoverKind
{
    /// <summary>A container.</summary>
    Container,

    /// <summary>A network.</summary>
    Network,

    /// <summary>An image.</summary>
    Image,
}
