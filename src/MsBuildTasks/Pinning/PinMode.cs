namespace ContainerTest.MsBuildTasks.Pinning;

/// <summary>How a build (or <c>dotnet containertest pin</c>) treats the lock file.</summary>
public enum PinMode
{
    /// <summary>Use a matching lock without any network I/O; otherwise resolve the tag and write the lock (a registry that does not answer: a warning, and the tag is used unpinned).</summary>
    Default,

    /// <summary>Use a matching lock; a missing or different one fails (CI: <c>ContainerTestLocked=true</c>, implied by <c>CI=true</c>).</summary>
    Locked,

    /// <summary>Resolve the tag again and rewrite the lock if the digest changed (<c>ContainerTestUpdateLock=true</c>, <c>dotnet containertest pin</c>); a registry that does not answer fails.</summary>
    Update,
}
