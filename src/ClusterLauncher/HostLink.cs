namespace ContainerTest.ClusterLauncher;

using System.Net.Sockets;
using ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

/// <summary>The launcher's connection to the test host: dialled, introduced with the run's secret, heartbeat running.</summary>
internal static class HostLink
{
    /// <summary>How long to keep trying to reach the host (a task's network may take a moment to come up).</summary>
    private static readonly TimeSpan ConnectPatience = TimeSpan.FromSeconds(30);

    /// <summary>Dials the host and says hello.</summary>
    /// <exception cref="IOException">The host cannot be reached; the message says where it was looked for.</exception>
    public static async Task<RelayConnection> ConnectAsync(LauncherEnvironment environment, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ConnectPatience;
        while (true)
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                await client.ConnectAsync(environment.Host, attempt.Token).ConfigureAwait(false);
                var connection = new RelayConnection(client.GetStream());
                await connection.WriteAsync(RelayFrame.Hello, new LauncherHello(environment.Session, environment.Token, environment.Node).ToUtf8Json(), cancellationToken).ConfigureAwait(false);
                connection.StartHeartbeat();
                return connection;
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                client.Dispose();
                if (DateTime.UtcNow > deadline)
                {
                    throw new IOException($"the test host at {environment.Host} cannot be reached from node {environment.Node}: {ex.Message}", ex);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
