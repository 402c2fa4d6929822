namespace ContainerTest.MsBuildTasks.Tests;

using System.Text;
using ContainerTest.ContainerRuntime.Tests.Fixtures;
using ContainerTest.MsBuildTasks.Pinning;
using ContainerTest.MsBuildTasks.Tests.Fixtures;
using global::Docker.DotNet;

/// <summary>Basic auth for real: Debian's docker-registry with an htpasswd user, and logins as `docker login` stores them (in the config file, or through a credential helper).</summary>
[TestClass]
public sealed class RealRegistryLoginTests
{
    private static readonly (string UserName, string Password) Login = ("ann", "s3cret-" + Guid.NewGuid().ToString("N")[..6]);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task The_stored_login_reads_the_digest_and_a_missing_or_wrong_one_is_one_clear_message()
    {
        var cancellationToken = TestContext.CancellationToken;
        using var docker = new DockerClientBuilder().Build();
        await using var images = new MarkerImages();
        await using var registry = await LocalRegistry.StartAsync(docker, Login, cancellationToken);
        var pushed = await registry.PushAsync(await images.WithMarkerAsync("L", cancellationToken, runnable: false), "private/app", "1", cancellationToken);
        var image = ImageName.Parse(registry.Reference("private/app", "1"));
        var config = Directory.CreateTempSubdirectory("containertest-dockerconfig-").FullName;
        using var http = new HttpClient();
        try
        {
            async Task<string> ResolveWithAsync(string configJson)
            {
                await File.WriteAllTextAsync(Path.Combine(config, "config.json"), configJson, cancellationToken);
                var logins = new DockerConfigLogins(Path.Combine(config, "config.json"));
                return await new RegistryClient(http, logins.FindAsync).ResolveDigestAsync(image, cancellationToken);
            }

            Assert.AreEqual(pushed, await ResolveWithAsync(Auths(registry.Host, Login.UserName, Login.Password)));

            var missing = await Assert.ThrowsExactlyAsync<PinningException>(() => ResolveWithAsync("{}"));
            StringAssert.Contains(missing.Message, $"needs a login to read {registry.Host}/private/app:1 and none is stored: run `docker login {registry.Host}`");

            var wrong = await Assert.ThrowsExactlyAsync<PinningException>(() => ResolveWithAsync(Auths(registry.Host, Login.UserName, "wrong")));
            StringAssert.Contains(wrong.Message, $"refused access to {registry.Host}/private/app:1 (401)");

            // A credential helper, as Docker Desktop and `docker-credential-pass` set up: run with the server on stdin.
            var helper = Path.Combine(config, "docker-credential-containertest");
            await File.WriteAllTextAsync(helper, $$"""
                #!/bin/sh
                read server
                [ "$1" = get ] && [ "$server" = "{{registry.Host}}" ] || { echo "credentials not found in native keychain"; exit 1; }
                echo '{"ServerURL":"{{registry.Host}}","Username":"{{Login.UserName}}","Secret":"{{Login.Password}}"}'
                """.Replace("\r", string.Empty, StringComparison.Ordinal), cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var path = Environment.GetEnvironmentVariable("PATH");
            Environment.SetEnvironmentVariable("PATH", config + ":" + path);
            try
            {
                Assert.AreEqual(pushed, await ResolveWithAsync($$"""{ "credHelpers": { "{{registry.Host}}": "containertest" } }"""));
                Assert.AreEqual(pushed, await ResolveWithAsync("""{ "credsStore": "containertest" }"""));
            }
            finally
            {
                Environment.SetEnvironmentVariable("PATH", path);
            }
        }
        finally
        {
            Directory.Delete(config, recursive: true);
        }
    }

    private static string Auths(string host, string user, string password) =>
        $$"""{ "auths": { "{{host}}": { "auth": "{{Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password))}}" } } }""";
}
