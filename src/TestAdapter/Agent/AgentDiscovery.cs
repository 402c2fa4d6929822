namespace ContainerTest.Agent;

using System.Text.Json;
using ContainerTest.Protocol;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// <c>--discover X.dll</c>: discovery for <c>dotnet containertest</c>, on the host, started with
/// the test's own runtimeconfig and deps (as vstest starts its test host, so the framework loads
/// as in a real run). Writes each test case, with every property the framework gave it and
/// ContainerTest's tags, as one JSON line on stdout; the framework's messages go to stderr.
/// </summary>
internal static class AgentDiscovery
{
    public static int Run(string source)
    {
        var stdout = Console.OpenStandardOutput();
        var adapters = FrameworkAdapter.FindBeside(source).Where(a => a.CanDiscover).ToList();
        if (adapters.Count == 0)
        {
            Console.Error.WriteLine($"no test framework adapter in {Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source))!, FrameworkAdapter.HiddenAdapterFolder)}; supported: {FrameworkAdapter.SupportedFrameworks}.");
            return 2;
        }

        foreach (var adapter in adapters)
        {
            var sink = new LineSink(stdout, adapter.AssemblyPath);
            adapter.CreateDiscoverer().DiscoverTests([source], new AgentRunContext(null, Path.GetDirectoryName(Path.GetFullPath(source))!), new StderrLogger(), sink);
        }

        stdout.Flush();
        return 0;
    }

    private sealed class LineSink(Stream stdout, string adapterPath) : ITestCaseDiscoverySink
    {
        public void SendTestCase(TestCase discoveredTest)
        {
            TestCaseTags.TakeOver(discoveredTest, adapterPath);
            JsonSerializer.Serialize(stdout, TestObjectJson.WriteProperties(discoveredTest));
            stdout.WriteByte((byte)'\n');
        }
    }

    private sealed class StderrLogger : IMessageLogger
    {
        public void SendMessage(TestMessageLevel testMessageLevel, string message)
        {
            if (testMessageLevel != TestMessageLevel.Informational)
            {
                Console.Error.WriteLine(message);
            }
        }
    }
}
