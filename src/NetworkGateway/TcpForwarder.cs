namespace ContainerTest.NetworkGateway;

using System.Net;
using System.Net.Sockets;

/// <summary>
/// Listens on one port and splices every accepted connection to the rule's first reachable
/// target, both ways, until either side closes. A connection whose targets are all unreachable
/// is reset, so the client sees a failure rather than an empty answer.
/// </summary>
internal sealed class TcpForwarder(ForwardRule rule, TextWriter log) : IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpListener listener = new(IPAddress.Any, rule.ListenPort);

    /// <summary>Binds the port; throws when it cannot (in use, not permitted).</summary>
    public void Bind() => listener.Start(backlog: 512);

    /// <inheritdoc />
    public void Dispose() => listener.Dispose();

    /// <summary>Accepts connections until <paramref name="cancellationToken"/> fires.</summary>
    public async Task ServeAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(listener.Stop);
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || (ex is SocketException && cancellationToken.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException ex)
            {
                // A connection that died before we accepted it: keep serving the others.
                await log.WriteLineAsync($"accept on {rule.ListenPort}: {ex.SocketErrorCode}").ConfigureAwait(false);
                continue;
            }

            _ = Task.Run(() => ForwardAsync(client, cancellationToken), CancellationToken.None);
        }
    }

    private async Task ForwardAsync(Socket client, CancellationToken cancellationToken)
    {
        using (client)
        {
            client.NoDelay = true;
            var upstream = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            if (upstream is null)
            {
                Reset(client);
                return;
            }

            using (upstream)
            {
                using var broken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var toTarget = PumpAsync(client, upstream, broken);
                var toClient = PumpAsync(upstream, client, broken);
                await Task.WhenAll(toTarget, toClient).ConfigureAwait(false);
                if (broken.IsCancellationRequested)
                {
                    // One side failed or reset: pass the reset on rather than a clean end of stream.
                    Reset(client);
                    Reset(upstream);
                }
            }
        }
    }

    private async Task<Socket?> ConnectAsync(CancellationToken cancellationToken)
    {
        foreach (var (host, port) in rule.Targets)
        {
            IPAddress[] addresses;
            try
            {
                addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                await log.WriteLineAsync($"{rule.ListenPort}: cannot resolve {host}: {ex.SocketErrorCode}").ConfigureAwait(false);
                continue;
            }

            foreach (var address in addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1))
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token).ConfigureAwait(false);
                    return socket;
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                {
                    socket.Dispose();
                    await log.WriteLineAsync($"{rule.ListenPort}: {address}:{port} unreachable ({(ex is SocketException s ? s.SocketErrorCode.ToString() : "timed out")})").ConfigureAwait(false);
                }
            }
        }

        return null;
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationTokenSource broken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, broken.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    // A half-close travels on: the other side may still answer.
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, broken.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            await broken.CancelAsync().ConfigureAwait(false);
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // already gone
        }
    }
}
