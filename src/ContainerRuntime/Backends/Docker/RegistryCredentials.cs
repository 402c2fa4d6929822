namespace ContainerTest.ContainerRuntime.Backends.Docker;

using ContainerTest.DockerCredentials;
using global::Docker.DotNet.Models;

/// <summary>
/// The engine's credentials for a pull, from the Docker CLI's stored logins
/// (<see cref="DockerLoginStore"/>: config.json and its credential helpers, as <c>docker pull</c> uses them).
/// </summary>
internal static class RegistryCredentials
{
    /// <summary>The current user's login for <paramref name="registryHost"/> (null: Docker Hub), or null for an anonymous pull.</summary>
    public static Task<AuthConfig?> FindAsync(string? registryHost, CancellationToken cancellationToken) =>
        FindAsync(DockerLoginStore.ForCurrentUser(), registryHost, cancellationToken);

    /// <summary>The login <paramref name="store"/> has for <paramref name="registryHost"/> (null: Docker Hub), or null for an anonymous pull.</summary>
    public static async Task<AuthConfig?> FindAsync(DockerLoginStore store, string? registryHost, CancellationToken cancellationToken)
    {
        RegistryLogin? login;
        try
        {
            login = await store.FindAsync(registryHost, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerLoginException)
        {
            // A login that cannot be had (unreadable config, missing or failing helper) means no
            // stored credentials: anonymous pulls still work, and a registry that needs a login
            // says so in the pull error we report.
            return null;
        }

        return login switch
        {
            null => null,
            { IsIdentityToken: true } => new AuthConfig { IdentityToken = login.Secret, ServerAddress = login.ServerAddress },
            _ => new AuthConfig { Username = login.UserName, Password = login.Secret, ServerAddress = login.ServerAddress },
        };
    }
}
