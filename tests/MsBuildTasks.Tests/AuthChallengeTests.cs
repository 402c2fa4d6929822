namespace ContainerTest.MsBuildTasks.Tests;

using ContainerTest.MsBuildTasks.Pinning;

/// <summary>WWW-Authenticate challenges as registries send them.</summary>
[TestClass]
public sealed class AuthChallengeTests
{
    [TestMethod]
    public void Bearer_challenge_of_docker_hub()
    {
        var challenge = AuthChallenge.Parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/debian:pull\"");

        Assert.IsNotNull(challenge);
        Assert.AreEqual("Bearer", challenge.Scheme);
        Assert.AreEqual("https://auth.docker.io/token", challenge["realm"]);
        Assert.AreEqual("registry.docker.io", challenge["SERVICE"]);
        Assert.AreEqual("repository:library/debian:pull", challenge["scope"]);
    }

    [TestMethod]
    public void Unquoted_values_commas_inside_quotes_and_escapes()
    {
        var challenge = AuthChallenge.Parse("Bearer realm=https://t.example/token, scope=\"repository:a:pull,push\", error=\"say \\\"no\\\"\"");

        Assert.IsNotNull(challenge);
        Assert.AreEqual("https://t.example/token", challenge["realm"]);
        Assert.AreEqual("repository:a:pull,push", challenge["scope"]);
        Assert.AreEqual("say \"no\"", challenge["error"]);
        Assert.IsNull(challenge["service"]);
    }

    [TestMethod]
    public void Basic_challenge_and_nothing()
    {
        Assert.AreEqual("Basic", AuthChallenge.Parse("Basic realm=\"Registry Realm\"")?.Scheme);
        Assert.IsNull(AuthChallenge.Parse("  "));
    }
}
