namespace ContainerTest.Agent;

using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ContainerTest.Protocol;

/// <summary>
/// Serves the socket a test without Docker access finds where Docker clients look for the engine:
/// every connection is counted and answered with HTTP 403 and <see cref="BlockedEngine.Message"/>,
/// as the engine answers a request it refuses, so the client's own error carries it too.
/// Started before the test (a warm agent has it ready); it never delays or fails the test.
/// </summary>
internal sealed class BlockedEngineListener
{
    private static readonly byte[] Response = BuildResponse();
    private int attempts;

    /// <summary>Starts serving <paramref name="path"/>; null when the socket cannot be made (the test then simply finds no engine).</summary>
    public static BlockedEngineListener? Start(string path)
    {
        try
        {
            File.Delete(path);
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(16);
            var listener = new BlockedEngineListener();
            _ = Task.Run(() => listener.AcceptAsync(socket));
            return listener;
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>How many times the test connected since this was last asked; resets the count.</summary>
    public int TakeAttempts() => Interlocked.Exchange(ref attempts, 0);

    private static byte[] BuildResponse()
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["message"] = BlockedEngine.Message });
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        return [.. head, .. body];
    }

    private async Task AcceptAsync(Socket socket)
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await socket.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref attempts);
            _ = AnswerAsync(connection);
        }
    }

    /// <summary>Reads the request's head (up to 16 KiB or 2 s), answers, and closes.</summary>
    private static async Task AnswerAsync(Socket connection)
    {
        using (connection)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var buffer = new byte[16 * 1024];
                var read = 0;
                while (read < buffer.Length)
                {
                    var count = await connection.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    if (count == 0)
                    {
                        break;
                    }

                    read += count;
                    if (buffer.AsSpan(0, read).IndexOf("\r\n\r\n"u8) >= 0)
                    {
                        break;
                    }
                }

                await connection.SendAsync(Response, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                connection.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away or sent nothing: it was counted; nothing more to do.
            }
        }
    }
}
