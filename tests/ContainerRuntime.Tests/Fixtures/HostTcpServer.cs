namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using System.Net;
using System.Net.Sockets;
using System.Text;

/// <summary>
/// A TCP service on this machine, listening on every IPv4 address (0.0.0.0) on a free port, as a
/// database or a mock server a test talks to would. It either greets each client with a fixed
/// line, or (echo mode) reads until the client half-closes and answers with what it read, upper-cased.
/// </summary>
internal sealed class HostTcpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Any, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task serving;
    private readonly string? greeting;

    private HostTcpServer(string? greeting)
    {
        this.greeting = greeting;
        listener.Start();
        serving = Task.Run(ServeAsync);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Greets every client with <paramref name="greeting"/> and a newline, then closes.</summary>
    public static HostTcpServer Greeting(string greeting) => new(greeting);

    /// <summary>Reads everything the client sends and answers with it upper-cased.</summary>
    public static HostTcpServer Echo() => new(null);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await serving;
        listener.Dispose();
        stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        if (greeting is not null)
                        {
                            await client.SendAsync(Encoding.ASCII.GetBytes(greeting + "\n"), SocketFlags.None, stop.Token);
                        }
                        else
                        {
                            using var received = new MemoryStream();
                            var buffer = new byte[4096];
                            int read;
                            while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0)
                            {
                                received.Write(buffer, 0, read);
                            }

                            await client.SendAsync(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(received.ToArray()).ToUpperInvariant()), SocketFlags.None, stop.Token);
                        }

                        client.Shutdown(SocketShutdown.Both);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or SocketException)
                    {
                    }
                }
            });
        }
    }
}
