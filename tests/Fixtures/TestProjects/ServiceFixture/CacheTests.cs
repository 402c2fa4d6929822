namespace ServiceFixture;

using System.Net.Sockets;
using System.Text;
using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>
/// Each test runs in a sandbox of its own and reaches the run's one Redis server at cache:6379
/// (a stable name). Each counts one hit on the shared counter and prints the count it got: across
/// the run the counts are 1, 2, 3 — one server, shared, fresh for the run.
/// </summary>
[TestClass]
public sealed class CacheTests
{
    [TestMethod]
    public Task First_reaches_the_shared_cache() => HitAsync();

    [TestMethod]
    public Task Second_reaches_the_shared_cache() => HitAsync();

    [TestMethod]
    public Task Third_reaches_the_shared_cache() => HitAsync();

    /// <summary>Only the service's own port is let through: another port of the same name answers nothing.</summary>
    [TestMethod]
    public async Task Another_port_of_the_service_is_not_let_through()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var refused = false;
        try
        {
            await client.ConnectAsync("cache", 6380, timeout.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            refused = true;
        }

        Assert.IsTrue(refused, "cache:6380 answered");
    }

    /// <summary>Fails, so that the run keeps what the service wrote.</summary>
    [TestMethod]
    public void Fails_on_purpose() => Assert.Fail("deliberately, so the run keeps the service's output");

    private static async Task HitAsync()
    {
        Assert.AreEqual("+PONG", await SendAsync("PING"));
        var hits = await SendAsync("INCR", "hits");
        Assert.StartsWith(":", hits);
        Console.WriteLine($"hit {hits[1..]} from {Environment.MachineName}");
    }

    /// <summary>Sends one command in Redis's protocol (RESP) and returns the first line of the reply.</summary>
    private static async Task<string> SendAsync(params string[] command)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync("cache", 6379, timeout.Token);
        var stream = client.GetStream();
        var request = new StringBuilder().Append('*').Append(command.Length).Append("\r\n");
        foreach (var part in command)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadLineAsync(timeout.Token) ?? string.Empty;
    }
}
