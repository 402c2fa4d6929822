namespace ContainerTest.ContainerRuntime.Layers;

/// <summary>How a job sees a host directory.</summary>
public enum LayerAccess
{
    /// <summary>Read-only: the job sees the host's files and can change none of them.</summary>
    ReadOnly,

    /// <summary>
    /// Writable copy-on-write: the job may change, add and delete files; the changes live in
    /// its own container and are gone with it. Neither the host nor any other job sees them.
    /// </summary>
    CopyOnWrite,
}
