// The reaper of one run. Usage:
//   dotnet ContainerTest.Reaper.dll RUN-ID
// Reaches the engine through the socket mounted at /var/run/docker.sock, prints the ready line,
// then reads its stdin, which is the run's link: the test process holds it attached. When it
// closes — the run ended, or its process was killed — removes every container, network and volume
// labelled with RUN-ID, and exits (the engine then removes this container). While it waits it
// also removes reapers that were created but never started by runs that died doing so.
using System.Diagnostics;
using ContainerTest.ContainerRuntime.Backends.Docker.Reaper;
using ContainerTest.Reaper;

if (args is not [var runId] || string.IsNullOrWhiteSpace(runId))
{
    await Console.Error.WriteLineAsync("containertest-reaper: usage: ContainerTest.Reaper.dll RUN-ID");
    return 2;
}

var log = TextWriter.Synchronized(Console.Out);
using var engine = new EngineClient(ReaperProtocol.SocketPath);
var reaching = Stopwatch.StartNew();
while (!await engine.PingAsync(CancellationToken.None))
{
    if (reaching.Elapsed > TimeSpan.FromSeconds(30))
    {
        await Console.Error.WriteLineAsync($"containertest-reaper: the Docker Engine does not answer at {ReaperProtocol.SocketPath}.");
        return 3;
    }

    await Task.Delay(200);
}

// The socket must be the engine that runs this container (for a remote engine the run can only
// guess its socket's path): else the run's resources are out of reach, and the run must hear so.
if (!await engine.HasContainerAsync(Environment.MachineName, CancellationToken.None))
{
    await Console.Error.WriteLineAsync($"containertest-reaper: the Docker Engine at {ReaperProtocol.SocketPath} is not the one that runs this container (it does not know container {Environment.MachineName}).");
    return 4;
}

await log.WriteLineAsync(ReaperProtocol.ReadyLine);

using var stop = new CancellationTokenSource();
var stranded = StrandedReapers.WatchAsync(engine, log, stop.Token);
var ended = await Link.WaitUntilClosedAsync(Console.OpenStandardInput());
await stop.CancelAsync();
await stranded;

// The container's host name is its short id: the sweep leaves this container to the engine's auto-remove.
var removed = await new RunSweep(engine, runId, Environment.MachineName, log)
    .RunAsync(ended ? ReaperProtocol.QuietAfterEnd : ReaperProtocol.QuietAfterDeath, ReaperProtocol.SweepLimit);
await log.WriteLineAsync($"containertest-reaper: run {runId} {(ended ? "ended" : "is gone")}; {removed} of its resources removed here");
return 0;
