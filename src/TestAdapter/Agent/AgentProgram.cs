namespace ContainerTest.Agent;

using ContainerTest.Protocol;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// Loads the framework adapter named on its command line (before it knows its test, so a warm
/// container has done it by the time its test is handed in), reads the request from stdin, runs
/// its one test case, and reports on the protocol stream.
/// </summary>
internal static class AgentProgram
{
    /// <summary>The argument naming the framework adapter to load ahead of the request.</summary>
    public const string AdapterArgument = "--adapter";

    /// <summary>The argument naming that adapter's executor.</summary>
    public const string ExecutorArgument = "--executor";

    /// <summary>The argument naming a file to read the request from instead of stdin (a shell's `--run`, where stdin is the terminal).</summary>
    public const string RequestFileArgument = AgentRequest.FileArgument;

    public static async Task<int> RunAsync(string[] args)
    {
        // Kept before any test can redirect Console.Out: protocol lines go straight to fd 1.
        var protocol = new ProtocolWriter(Console.OpenStandardOutput());
        var stdin = Console.OpenStandardInput();
        var preloaded = Preload(ArgumentAfter(args, AdapterArgument), ArgumentAfter(args, ExecutorArgument));
        var blockedEngine = ArgumentAfter(args, BlockedEngine.AgentArgument) is { } blockedSocket ? BlockedEngineListener.Start(blockedSocket) : null;

        AgentRequest request;
        try
        {
            var line = ArgumentAfter(args, RequestFileArgument) is { } requestFile
                ? await File.ReadAllBytesAsync(requestFile).ConfigureAwait(false)
                : await new StdinRequest(stdin).ReadLineAsync().ConfigureAwait(false);
            if (line is null)
            {
                return OwnerLink.OwnerGoneExitCode; // the run ended before this container was needed
            }

            request = AgentRequest.FromUtf8Json(line);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
        {
            await Console.Error.WriteLineAsync($"ContainerTest agent: cannot read its request: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        protocol.Nonce = request.Nonce;
        OwnerLink.ExitWhenStdinCloses(stdin);
        var microsoftCoverage = request.MicrosoftCoverageBuffers.Count > 0 ? MicrosoftCoverageRecorder.Start(request.MicrosoftCoverageBuffers) : null;
        var coverageSent = 0;
        void SendCoverage()
        {
            if ((!request.CollectCoverletHits && microsoftCoverage is null) || Interlocked.Exchange(ref coverageSent, 1) != 0)
            {
                return;
            }

            var assemblies = InstrumentableAssemblies.WithTypes().ToList(); // one walk over the types for every collector
            foreach (var hits in request.CollectCoverletHits ? CoverletTrackers.Take(assemblies) : [])
            {
                protocol.Write(hits.ToMessage());
            }

            foreach (var probes in microsoftCoverage?.Take(assemblies) ?? [])
            {
                protocol.Write(probes.ToMessage());
            }
        }

        // A test that ends the process (Environment.Exit) still sends what it covered, as natively
        // the collectors' own trackers flush theirs when the process exits.
        if (request.CollectCoverletHits || microsoftCoverage is not null)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => SendCoverage();
        }
        try
        {
            var executor = preloaded.Path == request.AdapterPath && preloaded.Uri == request.ExecutorUri && preloaded.Executor is { } ready
                ? ready
                : FrameworkAdapter.Load(request.AdapterPath).CreateExecutor(request.ExecutorUri);
            var handle = new AgentFrameworkHandle(protocol, blockedEngine);
            var context = new AgentRunContext(request.RunSettingsXml, Path.GetDirectoryName(request.Source)!);
            if (request.RunWholeSource)
            {
                executor.RunTests([request.Source], context, handle);
            }
            else
            {
                executor.RunTests([request.TestCase], context, handle);
            }

            SendCoverage();
            protocol.Write(AgentMessages.Done());
            return 0;
        }
        catch (Exception ex)
        {
            protocol.Write(AgentMessages.Log(TestMessageLevel.Error, $"ContainerTest agent: the framework adapter failed to run the test: {ex}"));
            return 2;
        }
    }

    /// <summary>The executor, made ready while no request is there yet; on any failure, none (the request's run then says why).</summary>
    private static (string? Path, string? Uri, ITestExecutor? Executor) Preload(string? adapterPath, string? executorUri)
    {
        if (adapterPath is null || executorUri is null)
        {
            return (null, null, null);
        }

        try
        {
            return (adapterPath, executorUri, FrameworkAdapter.Load(adapterPath).CreateExecutor(executorUri));
        }
        catch (Exception)
        {
            return (null, null, null);
        }
    }

    private static string? ArgumentAfter(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
