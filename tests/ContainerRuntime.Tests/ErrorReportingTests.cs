namespace ContainerTest.ContainerRuntime.Tests;

using System.Net;
using System.Net.Sockets;
using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

[TestClass]
public sealed class ErrorReportingTests
{
    [TestMethod]
    public async Task Asking_for_an_unsupported_capability_is_a_typed_error_not_a_silent_no_op()
    {
        var spec = Toolbox.Shell("true") with { Mounts = [new ProcMount("/host-proc")] };

        var error = await Assert.ThrowsExactlyAsync<UnsupportedCapabilityException>(() => spec.RunAsync());

        Assert.AreEqual(BackendCapabilities.ProcElsewhere, error.Missing);
        Assert.AreEqual(RetryClass.NotRetryable, error.Retry);
        StringAssert.Contains(error.Message, "docker backend");
    }

    [TestMethod]
    public async Task An_invalid_job_is_refused_with_the_reason()
    {
        var missing = Toolbox.Shell("true") with { Layers = [new HostDirectoryLayer("/no/such/dir", "/x")] };
        var relative = Toolbox.Shell("true") with { WorkingDirectory = "relative/dir" };
        var zeroMemory = Toolbox.Shell("true") with { Limits = new ResourceLimits(MemoryBytes: 0) };

        StringAssert.Contains((await Assert.ThrowsExactlyAsync<InvalidJobSpecException>(() => missing.RunAsync())).Message, "/no/such/dir");
        StringAssert.Contains((await Assert.ThrowsExactlyAsync<InvalidJobSpecException>(() => relative.RunAsync())).Message, "relative/dir");
        StringAssert.Contains((await Assert.ThrowsExactlyAsync<InvalidJobSpecException>(() => zeroMemory.RunAsync())).Message, "positive");
    }

    [TestMethod]
    public async Task No_engine_at_the_socket_says_so_and_how_to_fix_it()
    {
        var options = new DockerBackendOptions { Endpoint = new Uri("unix:///tmp/containertest-no-such-engine.sock") };

        var error = await Assert.ThrowsExactlyAsync<BackendUnavailableException>(() => DockerBackend.ConnectAsync(options));

        StringAssert.Contains(error.Message, "/tmp/containertest-no-such-engine.sock");
        StringAssert.Contains(error.Message, "DOCKER_HOST");
    }

    [TestMethod]
    public async Task An_engine_socket_nobody_listens_on_is_reported_as_not_running()
    {
        using var directory = new TemporaryDirectory();
        var path = Path.Combine(directory.Path, "docker.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path)); // bound, never listening: connections are refused

        var error = await Assert.ThrowsExactlyAsync<BackendUnavailableException>(
            () => DockerBackend.ConnectAsync(new DockerBackendOptions { Endpoint = new Uri("unix://" + path) }));

        StringAssert.Contains(error.Message, "not running");
        Assert.AreEqual(RetryClass.Retryable, error.Retry);
    }

    [TestMethod]
    public async Task An_engine_that_never_answers_is_reported_after_the_connect_timeout()
    {
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections (backlog) and never says a word
        try
        {
            var port = ((IPEndPoint)silent.LocalEndpoint).Port;
            var options = new DockerBackendOptions { Endpoint = new Uri($"tcp://127.0.0.1:{port}"), ConnectTimeout = TimeSpan.FromSeconds(1) };

            var error = await Assert.ThrowsExactlyAsync<BackendUnavailableException>(() => DockerBackend.ConnectAsync(options));

            StringAssert.Contains(error.Message, "did not answer within 1 s");
        }
        finally
        {
            silent.Stop();
        }
    }
}
