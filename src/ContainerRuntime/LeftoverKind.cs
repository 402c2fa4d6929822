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

    /// <summary>A Swarm service (a cluster worker or a run's guard), listed by the Swarm's manager.</summary>
    Service,

    /// <summary>A Swarm secret (a cluster run's link secret), listed by the Swarm's manager.</summary>
    Secret,
}
