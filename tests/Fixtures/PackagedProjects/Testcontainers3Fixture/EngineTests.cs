namespace Testcontainers3Fixture;

using DotNet.Testcontainers.Builders;
using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>
/// A test that starts a container of its own through Testcontainers, as integration suites do,
/// and talks to it at the port the engine published. The image (a small HTTP server, built
/// locally: no registry is reachable) and a token labelling the containers the test starts come
/// from the run settings' environment variables.
/// </summary>
[TestClass]
[TestCategory("Engine")]
public sealed class EngineTests
{
    [TestMethod]
    public async Task Starts_a_container_and_reaches_its_published_port()
    {
        var image = Environment.GetEnvironmentVariable("FIXTURE_HTTP_IMAGE") ?? throw new InvalidOperationException("FIXTURE_HTTP_IMAGE is not set");
        await using var container = new ContainerBuilder()
            .WithImage(image)
            .WithPortBinding(8080, assignRandomHostPort: true)
            .WithLabel("io.containertest.fixture-token", Environment.GetEnvironmentVariable("FIXTURE_TOKEN") ?? "none")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(request => request.ForPort(8080).ForPath("/hello.txt")))
            .Build();
        await container.StartAsync();

        using var http = new HttpClient();
        var body = await http.GetStringAsync(new UriBuilder("http", container.Hostname, container.GetMappedPublicPort(8080), "/hello.txt").Uri);

        Assert.AreEqual("hello from a container", body.Trim());
    }
}
