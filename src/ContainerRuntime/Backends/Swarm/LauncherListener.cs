namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

/// <summary>
/// The test host's end of the cluster: a TCP listener the launchers on the nodes dial (as
/// Maelstrom's workers dial its broker — a Swarm service cannot be attached to from the manager).
/// Each connection must open with a <see cref="LauncherHello"/> carrying the run's secret and the
/// id of a session the host is waiting for, within a few seconds; anything else is closed unread.
/// The secret reaches the launchers as a Swarm secret (never in a service's environment or
/// labels). The channel is authenticated, not encrypted: the cluster's network is trusted, as
/// Swarm's own overlay traffic is unless encrypted.
/// </summary>
internal sealed class LauncherListener : IAsyncDisposable
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener listener;
    private readonly byte[] token;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<(RelayConnection Connection, string Node)>> expected = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;

    private LauncherListener(TcpListener listener, string token)
    {
        this.listener = listener;
        this.token = Encoding.UTF8.GetBytes(token);
        accepting = Task.Run(AcceptAsync, CancellationToken.None);
    }

    /// <summary>Where the launchers dial.</summary>
    public IPEndPoint Endpoint => (IPEndPoint)listener.LocalEndpoint;

    /// <summary>Listens on <paramref name="address"/> at a port the kernel picks.</summary>
    /// <exception cref="SocketException">Nothing can listen there.</exception>
    public static LauncherListener Start(IPAddress address, string token)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        return new LauncherListener(listener, token);
    }

    /// <summary>Waits for the launcher of <paramref name="session"/>: its connection (heartbeat not yet started) and its node.</summary>
    public Task<(RelayConnection Connection, string Node)> ExpectAsync(string session)
    {
        var arrival = new TaskCompletionSource<(RelayConnection, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        expected[session] = arrival;
        return arrival.Task;
    }

    /// <summary>Stops waiting for <paramref name="session"/>; a launcher that dials for it later is turned away.</summary>
    public void Forget(string session)
    {
        if (expected.TryRemove(session, out var arrival))
        {
            arrival.TrySetCanceled();
        }
    }

    /// <summary>Stops listening; sessions still awaited are cancelled.</summary>
    public async ValueTask DisposeAsync()
    {
        if (stop.IsCancellationRequested)
        {
            return;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        listener.Stop();
        await accepting.ConfigureAwait(false);
        foreach (var session in expected.Keys.ToList())
        {
            Forget(session);
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => GreetAsync(client), CancellationToken.None);
        }
    }

    private async Task GreetAsync(TcpClient client)
    {
        client.NoDelay = true;
        var connection = new RelayConnection(client.GetStream());
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            limit.CancelAfter(HelloTimeout);
            if (await connection.ReadAsync(limit.Token).ConfigureAwait(false) is { Kind: RelayFrame.Hello } frame)
            {
                var hello = LauncherHello.Parse(frame.Payload);
                if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(hello.Token), token)
                    && expected.TryRemove(hello.Session, out var arrival)
                    && arrival.TrySetResult((connection, hello.Node)))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or TimeoutException or InvalidDataException or SocketException)
        {
            // Not one of ours, or too slow to say so.
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }
}
