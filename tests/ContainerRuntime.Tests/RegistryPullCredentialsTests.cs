namespace ContainerTest.ContainerRuntime.Tests;

using System.Text;
using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.DockerCredentials;

/// <summary>
/// The credentials a pull hands the engine come from the Docker CLI's stored logins, read by the
/// same <see cref="DockerLoginStore"/> as pinning; a login that cannot be had means an anonymous pull.
/// </summary>
[TestClass]
public sealed class RegistryPullCredentialsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task An_auths_entry_is_a_user_and_password()
    {
        var auth = await FindWithAsync($$"""{ "auths": { "registry.example:5000": { "auth": "{{B64("ci:s3cret")}}" } } }""", "registry.example:5000");

        Assert.IsNotNull(auth);
        Assert.AreEqual("ci", auth.Username);
        Assert.AreEqual("s3cret", auth.Password);
        Assert.AreEqual("registry.example:5000", auth.ServerAddress);
    }

    [TestMethod]
    public async Task Docker_hub_is_found_under_its_config_key_however_the_reference_spells_it()
    {
        var config = $$"""{ "auths": { "https://index.docker.io/v1/": { "auth": "{{B64("hubuser:hubpass")}}" } } }""";

        Assert.AreEqual("hubuser", (await FindWithAsync(config, null))?.Username);
        Assert.AreEqual("hubuser", (await FindWithAsync(config, "docker.io"))?.Username);
    }

    [TestMethod]
    public async Task An_identity_token_is_passed_as_one()
    {
        var auth = await FindWithAsync("""{ "auths": { "registry.example": { "auth": "", "identitytoken": "refresh-me" } } }""", "registry.example");

        Assert.IsNotNull(auth);
        Assert.AreEqual("refresh-me", auth.IdentityToken);
        Assert.IsNull(auth.Password);
    }

    [TestMethod]
    public async Task A_credential_helper_that_is_not_installed_means_an_anonymous_pull()
    {
        Assert.IsNull(await FindWithAsync("""{ "credsStore": "nosuchhelper" }""", "registry.example"));
    }

    [TestMethod]
    public async Task An_unreadable_config_means_an_anonymous_pull()
    {
        Assert.IsNull(await FindWithAsync("{ not json", "registry.example"));
        Assert.IsNull(await FindWithAsync("""{ "auths": { "registry.example": { "auth": "not base64!" } } }""", "registry.example"));
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private async Task<global::Docker.DotNet.Models.AuthConfig?> FindWithAsync(string json, string? registryHost)
    {
        var directory = Directory.CreateTempSubdirectory("containertest-dockerconfig-").FullName;
        try
        {
            var file = Path.Combine(directory, "config.json");
            await File.WriteAllTextAsync(file, json, TestContext.CancellationToken);
            return await RegistryCredentials.FindAsync(new DockerLoginStore(file), registryHost, TestContext.CancellationToken);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
