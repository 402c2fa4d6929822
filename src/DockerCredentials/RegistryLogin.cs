namespace ContainerTest.DockerCredentials;

/// <summary>A user name and secret for a registry (an identity token when <see cref="UserName"/> is <see cref="IdentityTokenUser"/>).</summary>
public sealed record RegistryLogin(string UserName, string Secret)
{
    /// <summary>The user name the Docker CLI and its credential helpers give an identity token (OAuth refresh token) instead of a password.</summary>
    public const string IdentityTokenUser = "<token>";

    /// <summary>Where the login came from, for messages (never the secret itself).</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>The registry as the Docker config names it (the <c>auths</c> key, or the server asked of the helper).</summary>
    public string ServerAddress { get; init; } = string.Empty;

    /// <summary>Whether <see cref="Secret"/> is an identity token rather than a password.</summary>
    public bool IsIdentityToken => UserName == IdentityTokenUser;

    /// <summary>Shown instead of the secret if the record is ever printed.</summary>
    public override string ToString() => $"{UserName} (from {Source})";
}
