namespace ContainerTest.MsBuildTasks.Pinning;

/// <summary>A user name and secret for a registry (an identity token when <see cref="UserName"/> is <c>&lt;token&gt;</c>).</summary>
public sealed record RegistryLogin(string UserName, string Secret)
{
    /// <summary>Where the login came from, for messages (never the secret itself).</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>Shown instead of the secret if the record is ever printed.</summary>
    public override string ToString() => $"{UserName} (from {Source})";
}
