namespace ContainerTest.MsBuildTasks.Tests;

using System.Net;
using System.Security.Cryptography;
using System.Text;
using ContainerTest.DockerCredentials;
using ContainerTest.MsBuildTasks.Pinning;
using ContainerTest.MsBuildTasks.Tests.Fixtures;

/// <summary>
/// Token and Basic authentication, and digests computed from the body, against a stand-in
/// registry (the real one is used by <see cref="PinningEndToEndTests"/>, anonymously).
/// </summary>
[TestClass]
public sealed class RegistryAuthTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly Dictionary<string, string> NoHeaders = [];

    [TestMethod]
    public async Task Bearer_challenge_fetches_a_token_with_the_stored_login_and_retries()
    {
        using var registry = new FakeAuthRegistry(request => request.Url!.AbsolutePath switch
        {
            "/token" when request.Headers["Authorization"] == "Basic " + B64("ann:s3cret") => (200, NoHeaders, "{\"token\":\"good\"}"),
            "/token" => (401, NoHeaders, string.Empty),
            "/v2/team/app/manifests/1" when request.Headers["Authorization"] == "Bearer good" => (200, new Dictionary<string, string> { ["Docker-Content-Digest"] = Digest }, string.Empty),
            _ => (401, new Dictionary<string, string> { ["WWW-Authenticate"] = $"Bearer realm=\"http://127.0.0.1:{request.Url.Port}/token\",service=\"fake\",scope=\"repository:team/app:pull\"" }, string.Empty),
        });
        using var config = new TemporaryConfig($$"""{ "auths": { "127.0.0.1:{{registry.Port}}": { "auth": "{{B64("ann:s3cret")}}" } } }""");
        using var http = new HttpClient();

        var digest = await new RegistryClient(http, config.Logins.FindAsync).ResolveDigestAsync(ImageName.Parse($"127.0.0.1:{registry.Port}/team/app:1"), CancellationToken.None);

        Assert.AreEqual(Digest, digest);
        CollectionAssert.Contains(registry.Requests, $"GET /token?service=fake&scope=repository%3Ateam%2Fapp%3Apull auth=Basic {B64("ann:s3cret")}");
    }

    [TestMethod]
    public async Task Basic_challenge_without_a_stored_login_says_to_log_in()
    {
        using var registry = new FakeAuthRegistry(_ => (401, new Dictionary<string, string> { ["WWW-Authenticate"] = "Basic realm=\"Registry Realm\"" }, string.Empty));
        using var config = new TemporaryConfig("{ \"auths\": {} }");
        using var http = new HttpClient();

        var error = await Assert.ThrowsExactlyAsync<PinningException>(() =>
            new RegistryClient(http, config.Logins.FindAsync).ResolveDigestAsync(ImageName.Parse($"127.0.0.1:{registry.Port}/team/app:1"), CancellationToken.None));

        StringAssert.Contains(error.Message, $"needs a login to read 127.0.0.1:{registry.Port}/team/app:1");
        StringAssert.Contains(error.Message, $"docker login 127.0.0.1:{registry.Port}");
    }

    [TestMethod]
    public async Task Basic_challenge_with_a_stored_login_and_no_digest_header_hashes_the_manifest()
    {
        const string Manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}";
        using var registry = new FakeAuthRegistry(request => request.Headers["Authorization"] == "Basic " + B64("bob:pw")
            ? (200, new Dictionary<string, string> { ["Content-Type"] = "application/vnd.oci.image.index.v1+json" }, Manifest)
            : (401, new Dictionary<string, string> { ["WWW-Authenticate"] = "Basic realm=\"r\"" }, string.Empty));
        using var config = new TemporaryConfig($$"""{ "auths": { "http://127.0.0.1:{{registry.Port}}/": { "auth": "{{B64("bob:pw")}}" } } }""");
        using var http = new HttpClient();

        var digest = await new RegistryClient(http, config.Logins.FindAsync).ResolveDigestAsync(ImageName.Parse($"127.0.0.1:{registry.Port}/multi:1"), CancellationToken.None);

        Assert.AreEqual("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Manifest))), digest);
    }

    [TestMethod]
    public async Task A_credential_helper_that_is_not_installed_is_named()
    {
        using var config = new TemporaryConfig("{ \"credsStore\": \"nosuchhelper\" }");

        var error = await Assert.ThrowsExactlyAsync<PinningException>(() => config.Logins.FindAsync("registry.example", CancellationToken.None));

        StringAssert.Contains(error.Message, "docker-credential-nosuchhelper is not on PATH");
    }

    [TestMethod]
    public async Task An_unreachable_registry_is_one_message()
    {
        using var http = new HttpClient();
        var port = ContainerTest.ContainerRuntime.Tests.Fixtures.LocalRegistry.FreeLoopbackPort();

        var error = await Assert.ThrowsExactlyAsync<PinningException>(() =>
            new RegistryClient(http, (_, _) => Task.FromResult<RegistryLogin?>(null)).ResolveDigestAsync(ImageName.Parse($"127.0.0.1:{port}/x:1"), CancellationToken.None));

        StringAssert.Contains(error.Message, $"The registry 127.0.0.1:{port} for 127.0.0.1:{port}/x:1 cannot be reached");
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>A Docker config file of the test's own.</summary>
    private sealed class TemporaryConfig : IDisposable
    {
        private readonly string directory = Directory.CreateTempSubdirectory("containertest-dockerconfig-").FullName;

        public TemporaryConfig(string json)
        {
            File.WriteAllText(Path.Combine(directory, "config.json"), json);
            Logins = new DockerConfigLogins(Path.Combine(directory, "config.json"));
        }

        public DockerConfigLogins Logins { get; }

        public void Dispose() => Directory.Delete(directory, recursive: true);
    }
}
