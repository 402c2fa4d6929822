namespace ContainerTest.Tests.Engine;

using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using global::Docker.DotNet;

/// <summary>
/// A Unix socket in front of the real Docker Engine (<c>/var/run/docker.sock</c>) that forwards
/// every byte both ways — API calls, attached streams, half-closes — and asks before it lets a
/// container's start request (<c>POST /v1.xx/containers/{id}/start</c>) through. Refused, the
/// request never reaches the engine and its connection is dropped: the container stays created
/// and never started. It lets a test act exactly between a container's create and its start,
/// a window of a few milliseconds that no engine event can catch reliably. Point a process at it
/// with <c>DOCKER_HOST=</c><see cref="Host"/>; a container that bind-mounts that socket (a run's
/// reaper) reaches the engine through it too, so keep the gate until such containers are gone.
/// </summary>
internal sealed partial class EngineStartGate : IAsyncDisposable
{
    private const string EngineSocket = "/var/run/docker.sock";

    // The request line's end arrives before the headers do: holding the chunk that completes the
    // line means the engine has not yet got a whole request, whatever was forwarded before it.
    private const int Carry = 256;

    private readonly Func<IDictionary<string, string>, bool> admit;
    private readonly DockerClient inspector = new DockerClientBuilder().WithEndpoint(new Uri("unix://" + EngineSocket)).Build();
    private readonly string directory;
    private readonly Socket listener;
    private readonly CancellationTokenSource stop = new();
    private readonly List<Socket> sockets = [];
    private readonly Task accepting;

    private EngineStartGate(Func<IDictionary<string, string>, bool> admit)
    {
        this.admit = admit;
        directory = Directory.CreateTempSubdirectory("engine-gate-").FullName;
        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(directory, "docker.sock")));
        listener.Listen(64);
        accepting = AcceptAsync();
    }

    /// <summary>The DOCKER_HOST that reaches the engine through this gate (<c>unix:///tmp/engine-gate-…/docker.sock</c>).</summary>
    public string Host => "unix://" + Path.Combine(directory, "docker.sock");

    /// <summary>
    /// Opens a gate; <paramref name="admit"/> gets the labels of each container whose start is
    /// asked for, before the engine sees the request, and returns whether to let it through.
    /// </summary>
    public static EngineStartGate Open(Func<IDictionary<string, string>, bool> admit) => new(admit);

    /// <summary>Closes the socket and every connection through it.</summary>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Dispose();
        try
        {
            await accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        lock (sockets)
        {
            sockets.ForEach(s => s.Dispose());
        }

        Directory.Delete(directory, recursive: true);
        inspector.Dispose();
        stop.Dispose();
    }

    [GeneratedRegex(@"POST /(?:v[0-9.]+/)?containers/([^/\s?]+)/start[\s?]")]
    private static partial Regex StartRequest();

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptAsync(stop.Token);
            var engine = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            lock (sockets)
            {
                sockets.Add(client);
                sockets.Add(engine);
            }

            _ = ForwardAsync(client, engine);
        }
    }

    private async Task ForwardAsync(Socket client, Socket engine)
    {
        try
        {
            await engine.ConnectAsync(new UnixDomainSocketEndPoint(EngineSocket), stop.Token);
            // Each way ends by itself (a half-close is passed on); a failure of either ends both.
            await Task.WhenAll(EndBothOnFailureAsync(RequestsAsync(client, engine)), EndBothOnFailureAsync(CopyAsync(engine, client)));

            async Task EndBothOnFailureAsync(Task way)
            {
                try
                {
                    await way;
                }
                catch
                {
                    client.Dispose();
                    engine.Dispose();
                    throw;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // one side went away (a killed client, a refused start): the connection ends
        }
        finally
        {
            client.Dispose();
            engine.Dispose();
            lock (sockets)
            {
                sockets.Remove(client);
                sockets.Remove(engine);
            }
        }
    }

    /// <summary>Client to engine, holding each chunk that completes a start request's line until <see cref="admit"/> answers.</summary>
    private async Task RequestsAsync(Socket client, Socket engine)
    {
        var buffer = new byte[64 * 1024];
        var carried = string.Empty;
        int read;
        while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0)
        {
            var text = carried + Encoding.Latin1.GetString(buffer, 0, read);
            foreach (Match start in StartRequest().Matches(text))
            {
                if (start.Index + start.Length > carried.Length && !admit(await LabelsOfAsync(start.Groups[1].Value)))
                {
                    throw new OperationCanceledException("start refused");
                }
            }

            await SendAllAsync(engine, buffer.AsMemory(0, read));
            carried = text.Length > Carry ? text[^Carry..] : text;
        }

        engine.Shutdown(SocketShutdown.Send);
    }

    /// <summary>The labels of the container <paramref name="id"/> (none when it has none), asked of the engine directly.</summary>
    private async Task<IDictionary<string, string>> LabelsOfAsync(string id) =>
        (await inspector.Containers.InspectContainerAsync(id, stop.Token)).Config?.Labels ?? new Dictionary<string, string>();

    private async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0)
        {
            await SendAllAsync(to, buffer.AsMemory(0, read));
        }

        to.Shutdown(SocketShutdown.Send);
    }

    private async Task SendAllAsync(Socket to, ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[await to.SendAsync(bytes, SocketFlags.None, stop.Token)..];
        }
    }
}
