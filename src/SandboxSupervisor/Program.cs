using System.Text;
using ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;
using ContainerTest.SandboxSupervisor;

// The sandbox supervisor of one worker container (see Supervisor). Arguments: the worker's
// scratch directory (a tmpfs of the worker, for each job's small files). Requests arrive as
// lines on stdin; frames leave on stdout; anything on stderr is a diagnostic for the host.
// With --interactive SPEC-FILE first, it runs one sandbox on its own terminal instead.
var bwrap = Path.Combine(AppContext.BaseDirectory, "bwrap");
if (args is ["--interactive", var specFile, var interactiveScratch])
{
    using var none = new FrameWriter(Stream.Null);
    var spec = SandboxSpec.FromJson(System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(specFile).ConfigureAwait(false))!.AsObject());
    return await new Supervisor(bwrap, interactiveScratch, none).RunInteractiveAsync(spec).ConfigureAwait(false);
}

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: ContainerTest.SandboxSupervisor [--interactive <spec file>] <scratch directory>");
    return 2;
}

using var output = new FrameWriter(Console.OpenStandardOutput());
var supervisor = new Supervisor(bwrap, args[0], output);
using var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
try
{
    while (await stdin.ReadLineAsync().ConfigureAwait(false) is { } line)
    {
        if (line.Length > 0)
        {
            await supervisor.HandleAsync(WorkerRequest.Parse(line)).ConfigureAwait(false);
        }
    }
}
catch (Exception ex)
{
    // Said on stderr, which the host puts into the reason it gives for the worker's end.
    await Console.Error.WriteLineAsync($"containertest supervisor: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
    await supervisor.StopAsync().ConfigureAwait(false);
    return 3;
}

// stdin ended: the host that owns this worker is gone (or done with it).
await supervisor.StopAsync().ConfigureAwait(false);
return 0;
