// The gateway of the Docker backend's `allow` network policy. Usage:
//   dotnet ContainerTest.NetworkGateway.dll [--until-stdin-closes] PORT=HOST:PORT[,HOST:PORT...] ...
// Binds every listed port, prints the ready line, then forwards until stopped — or, with
// --until-stdin-closes, until its stdin closes too (a cluster launcher holds it: the gateway
// ends with the launcher, however the launcher ends).
using ContainerTest.NetworkGateway;

const string ReadyLine = "containertest-gateway ready";
const string UntilStdinClosesArgument = "--until-stdin-closes";

var untilStdinCloses = args is [UntilStdinClosesArgument, ..];
ForwardRule[] rules;
try
{
    rules = args.Skip(untilStdinCloses ? 1 : 0).Select(ForwardRule.Parse).ToArray();
}
catch (FormatException ex)
{
    await Console.Error.WriteLineAsync("containertest-gateway: " + ex.Message);
    return 2;
}

if (rules.Length == 0)
{
    await Console.Error.WriteLineAsync("containertest-gateway: no PORT=HOST:PORT rule given.");
    return 2;
}

var log = TextWriter.Synchronized(Console.Error);
var forwarders = rules.Select(rule => new TcpForwarder(rule, log)).ToArray();
for (var i = 0; i < forwarders.Length; i++)
{
    try
    {
        forwarders[i].Bind();
    }
    catch (System.Net.Sockets.SocketException ex)
    {
        await Console.Error.WriteLineAsync($"containertest-gateway: cannot listen on port {rules[i].ListenPort}: {ex.Message} ({ex.SocketErrorCode})");
        return 3;
    }
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
if (untilStdinCloses)
{
    _ = Task.Run(async () =>
    {
        var stdin = Console.OpenStandardInput();
        var buffer = new byte[256];
        while (await stdin.ReadAsync(buffer) > 0)
        {
        }

        await stop.CancelAsync();
    });
}

foreach (var rule in rules)
{
    await Console.Out.WriteLineAsync("forwarding " + rule);
}

await Console.Out.WriteLineAsync(ReadyLine);
await Console.Out.FlushAsync();
try
{
    await Task.WhenAll(forwarders.Select(f => f.ServeAsync(stop.Token)));
}
finally
{
    foreach (var forwarder in forwarders)
    {
        forwarder.Dispose();
    }
}

return 0;
