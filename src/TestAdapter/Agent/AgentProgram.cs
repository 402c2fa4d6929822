namespace ContainerTest.Agent;

using ContainerTest.Protocol;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>Reads the request, runs its test case through the framework adapter, reports on the protocol stream.</summary>
internal static class AgentProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        // Kept before any test can redirect Console.Out: protocol lines go straight to fd 1.
        var protocol = new ProtocolWriter(Console.OpenStandardOutput());
        var requestPath = args.Length == 2 && args[0] == "--request" ? args[1] : AgentRequest.ContainerPath;
        AgentRequest request;
        try
        {
            request = AgentRequest.FromUtf8Json(await File.ReadAllBytesAsync(requestPath).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            await Console.Error.WriteLineAsync($"ContainerTest agent: cannot read its request {requestPath}: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        protocol.Nonce = request.Nonce;
        OwnerLink.ExitWhenStdinCloses();
        try
        {
            var adapter = FrameworkAdapter.Load(request.AdapterPath);
            var executor = adapter.CreateExecutor(request.ExecutorUri);
            var handle = new AgentFrameworkHandle(protocol);
            executor.RunTests([request.TestCase], new AgentRunContext(request.RunSettingsXml, Path.GetDirectoryName(request.Source)!), handle);
            protocol.Write(AgentMessages.Done());
            return 0;
        }
        catch (Exception ex)
        {
            protocol.Write(AgentMessages.Log(TestMessageLevel.Error, $"ContainerTest agent: the framework adapter failed to run the test: {ex}"));
            return 2;
        }
    }
}
