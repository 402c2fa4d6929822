namespace ContainerTest.TestAdapter.Discovery;

using ContainerTest.Protocol;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>Discovery delegated to each test assembly's own framework adapter, so test identities are the framework's.</summary>
internal static class FrameworkDiscovery
{
    private static bool HasVisibleFrameworkAdapter(string folder) =>
        Directory.EnumerateFiles(folder, "*.dll").Any(f =>
            f.EndsWith("TestAdapter.dll", StringComparison.OrdinalIgnoreCase)
            && !Path.GetFileName(f).Equals("ContainerTest.TestAdapter.dll", StringComparison.OrdinalIgnoreCase));

    /// <summary>Discovers the tests of every source through its framework adapter; sources without one get a clear message.</summary>
    public static void Discover(IEnumerable<string> sources, IDiscoveryContext context, IMessageLogger logger, ITestCaseDiscoverySink sink)
    {
        foreach (var group in sources.GroupBy(s => Path.GetDirectoryName(Path.GetFullPath(s)) ?? "."))
        {
            var adapters = FrameworkAdapter.FindBeside(group.First());
            if (adapters.Count == 0)
            {
                // Not every .dll is a test assembly; only say something when this one plainly is one of
                // ours — and not when the build left the framework adapter in place (ContainerTest=false):
                // vstest then runs the tests natively through it, as asked.
                if (File.Exists(Path.Combine(group.Key, "ContainerTest.TestAdapter.dll")) && !HasVisibleFrameworkAdapter(group.Key))
                {
                    logger.SendMessage(
                        TestMessageLevel.Warning,
                        $"ContainerTest: no test framework adapter found for {string.Join(", ", group.Select(Path.GetFileName))} (looked in {Path.Combine(group.Key, FrameworkAdapter.HiddenAdapterFolder)}). Supported: {FrameworkAdapter.SupportedFrameworks}. Reference one of them in the test project.");
                }

                continue;
            }

            foreach (var adapter in adapters.Where(a => a.CanDiscover))
            {
                var takeOver = new TakeOverDiscoverySink(sink, adapter.AssemblyPath);
                adapter.CreateDiscoverer().DiscoverTests(group, context, logger, takeOver);
            }
        }
    }
}
