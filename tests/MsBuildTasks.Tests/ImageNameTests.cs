namespace ContainerTest.MsBuildTasks.Tests;

using ContainerTest.MsBuildTasks.Pinning;

/// <summary>References are split as Docker splits them.</summary>
[TestClass]
public sealed class ImageNameTests
{
    [TestMethod]
    [DataRow("debian", "docker.io", "library/debian", "latest", null)]
    [DataRow("debian:bookworm", "docker.io", "library/debian", "bookworm", null)]
    [DataRow("docker.io/library/debian:12", "docker.io", "library/debian", "12", null)]
    [DataRow("index.docker.io/team/app:1", "docker.io", "team/app", "1", null)]
    [DataRow("team/app", "docker.io", "team/app", "latest", null)]
    [DataRow("mcr.microsoft.com/dotnet/runtime:10.0", "mcr.microsoft.com", "dotnet/runtime", "10.0", null)]
    [DataRow("localhost/app:dev", "localhost", "app", "dev", null)]
    [DataRow("127.0.0.1:5000/a/b:1", "127.0.0.1:5000", "a/b", "1", null)]
    [DataRow("127.0.0.1:5000/a/b", "127.0.0.1:5000", "a/b", "latest", null)]
    [DataRow("r.example/x:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "r.example", "x", "1", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Parse_splits_like_docker(string reference, string registry, string repository, string? tag, string? digest)
    {
        var name = ImageName.Parse(reference);

        Assert.AreEqual(new ImageName(registry, repository, tag, digest), name);
    }

    [TestMethod]
    public void Docker_hub_is_reached_at_its_api_host_and_loopback_registries_over_http()
    {
        Assert.AreEqual("registry-1.docker.io", ImageName.Parse("debian").ApiHost);
        Assert.IsFalse(ImageName.Parse("debian").IsLoopback);
        Assert.IsTrue(ImageName.Parse("127.0.0.1:5000/x").IsLoopback);
        Assert.IsTrue(ImageName.Parse("localhost:5000/x").IsLoopback);
        Assert.IsFalse(ImageName.Parse("registry.example:5000/x").IsLoopback);
    }

    [TestMethod]
    public void Pinned_reference_keeps_registry_and_repository_and_drops_the_tag()
    {
        const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        Assert.AreEqual("127.0.0.1:5000/a/b@" + Digest, ImageName.Parse("127.0.0.1:5000/a/b:1").PinnedTo(Digest));
        Assert.AreEqual("docker.io/library/debian@" + Digest, ImageName.Parse("debian:12").PinnedTo(Digest));
    }

    [TestMethod]
    [DataRow("", "empty")]
    [DataRow("Debian:12", "not a valid repository name")]
    [DataRow("debian:-x", "not a valid tag")]
    [DataRow("debian@sha256:abc", "not a digest")]
    public void A_bad_reference_is_one_clear_message(string reference, string expected)
    {
        var error = Assert.ThrowsExactly<PinningException>(() => ImageName.Parse(reference));

        StringAssert.Contains(error.Message, expected);
    }
}
