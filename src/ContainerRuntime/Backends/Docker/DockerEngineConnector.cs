namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Net.Sockets;
using ContainerTest.ContainerRuntime.Errors;
using global::Docker.DotNet;

/// <summary>Finds the Docker Engine as the Docker CLI does and checks it answers, or says clearly why not.</summary>
internal static class DockerEngineConnector
{
    public static async Task<(DockerClient Client, string ApiVersion, string EngineOs)> ConnectAsync(DockerBackendOptions options, CancellationToken cancellationToken)
    {
        DockerClient client;
        try
        {
            var builder = new DockerClientBuilder();
            if (options.Endpoint is not null)
            {
                builder.WithEndpoint(options.Endpoint);
            }

            client = builder.Build();
        }
        catch (Exception ex) when (ex is DockerConfigurationException or ArgumentException or UriFormatException or InvalidOperationException)
        {
            throw new BackendUnavailableException(
                $"Cannot tell where the Docker Engine is: {ex.Message} Check DOCKER_HOST and your Docker context (`docker context ls`).",
                RetryClass.NotRetryable,
                ex);
        }

        var endpoint = client.Options.Endpoint;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            var version = await client.System.GetVersionAsync(timeout.Token).ConfigureAwait(false);
            return (client, version.APIVersion, version.Os);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw Explain(ex, endpoint, options.ConnectTimeout);
        }
    }

    /// <summary>Turns a failure to talk to the engine into one message naming the cause and the fix.</summary>
    public static BackendUnavailableException Explain(Exception ex, Uri endpoint, TimeSpan? waited = null)
    {
        var socket = FindInner<SocketException>(ex);
        var where = endpoint.Scheme == "unix" ? $"the socket {endpoint.AbsolutePath}" : endpoint.ToString();
        const string Start = "Start Docker (on Linux: `sudo systemctl start docker`, or run `dockerd`; elsewhere: start Docker Desktop), or point DOCKER_HOST at a running engine.";
        return socket?.SocketErrorCode switch
        {
            SocketError.AccessDenied => new BackendUnavailableException(
                $"Permission denied opening {where}: this user may not use the Docker Engine. Add the user to the 'docker' group (`sudo usermod -aG docker $USER`, then log in again), or use rootless Docker and set DOCKER_HOST.",
                RetryClass.NotRetryable,
                ex),
            SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported => new BackendUnavailableException(
                $"No Docker Engine is listening at {where} (it does not exist). Is Docker installed and running? {Start}",
                RetryClass.Retryable,
                ex),
            SocketError.ConnectionRefused => new BackendUnavailableException(
                $"The Docker Engine at {where} refused the connection: it is not running. {Start}",
                RetryClass.Retryable,
                ex),
            _ when ex is OperationCanceledException or TimeoutException => new BackendUnavailableException(
                $"The Docker Engine at {where} did not answer within {waited?.TotalSeconds ?? 0:0} s. Check that it is running and healthy (`docker info`).",
                RetryClass.Retryable,
                ex),
            _ => new BackendUnavailableException(
                $"The Docker Engine at {where} could not be reached: {Innermost(ex).Message} {Start}",
                RetryClass.Unknown,
                ex),
        };
    }

    private static T? FindInner<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The root cause of a chain of exceptions (e.g. the socket error under an HTTP one).</summary>
    internal static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }
}
