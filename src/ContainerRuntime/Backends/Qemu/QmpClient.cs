namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// QEMU's machine protocol (QMP): JSON lines over a socket. One command at a time; the
/// asynchronous events QEMU sends between answers are skipped.
/// </summary>
internal sealed class QmpClient : IDisposable
{
    private readonly Socket socket;
    private readonly StreamReader reader;
    private readonly NetworkStream stream;
    private readonly SemaphoreSlim turn = new(1);

    private QmpClient(Socket socket)
    {
        this.socket = socket;
        stream = new NetworkStream(socket, ownsSocket: false);
        reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
    }

    /// <summary>Reads QEMU's greeting and leaves capabilities negotiation mode.</summary>
    public static async Task<QmpClient> ConnectAsync(Socket socket, CancellationToken cancellationToken)
    {
        var client = new QmpClient(socket);
        try
        {
            _ = await client.reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? throw new IOException("QEMU closed its QMP socket before greeting.");
            await client.ExecuteAsync("qmp_capabilities", null, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Runs one command; returns its <c>return</c> value.</summary>
    /// <exception cref="ContainerRuntimeException">QEMU answered with an error.</exception>
    /// <exception cref="IOException">QEMU went away.</exception>
    public async Task<JsonNode?> ExecuteAsync(string command, JsonObject? arguments, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["execute"] = command };
        if (arguments is not null)
        {
            request["arguments"] = arguments;
        }

        await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToJsonString() + "\n"), cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? throw new IOException($"QEMU closed its QMP socket during '{command}'.");
                var answer = JsonNode.Parse(line) as JsonObject;
                if (answer is null || answer.ContainsKey("event"))
                {
                    continue;
                }

                if (answer["error"] is JsonObject error)
                {
                    throw new ContainerRuntimeException($"QEMU refused '{command}': {error["desc"]}", RetryClass.Unknown);
                }

                return answer["return"];
            }
        }
        finally
        {
            turn.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        reader.Dispose();
        stream.Dispose();
        socket.Dispose();
        turn.Dispose();
    }
}
