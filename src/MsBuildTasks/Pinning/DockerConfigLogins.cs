namespace ContainerTest.MsBuildTasks.Pinning;

using ContainerTest.DockerCredentials;

/// <summary>
/// The Docker CLI's stored logins (<see cref="DockerLoginStore"/>: config.json and its credential
/// helpers) for pinning, where a login that the config names but that cannot be had stops the
/// pin with a <see cref="PinningException"/> that says what to fix.
/// </summary>
public sealed class DockerConfigLogins(string configFile)
{
    private readonly DockerLoginStore store = new(configFile);

    /// <summary>The config file the Docker CLI reads for the current user.</summary>
    public static DockerConfigLogins ForCurrentUser() => new(DockerLoginStore.ForCurrentUser().ConfigFile);

    /// <summary>The login for <paramref name="registry"/> (as references name it: <c>docker.io</c>, <c>host:port</c>), or null for anonymous.</summary>
    public async Task<RegistryLogin?> FindAsync(string registry, CancellationToken cancellationToken)
    {
        try
        {
            return await store.FindAsync(registry, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerLoginException ex)
        {
            throw new PinningException(ex.Message, ex);
        }
    }
}
