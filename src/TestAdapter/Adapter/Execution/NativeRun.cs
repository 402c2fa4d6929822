namespace ContainerTest.TestAdapter.Execution;

using ContainerTest.Protocol;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;

/// <summary>Runs tests in this process through their framework adapter, as if ContainerTest were not there (debugging, opt-out).</summary>
internal static class NativeRun
{
    public static void RunTestCases(IEnumerable<TestCase> testCases, IRunContext runContext, IFrameworkHandle handle)
    {
        foreach (var group in testCases.GroupBy(tc => (Adapter: TestCaseTags.FrameworkAdapterOf(tc), Executor: TestCaseTags.FrameworkExecutorOf(tc))))
        {
            if (group.Key.Adapter is null)
            {
                continue;
            }

            FrameworkAdapter.Load(group.Key.Adapter).CreateExecutor(group.Key.Executor).RunTests(group, runContext, handle);
        }
    }

    public static void RunSources(IEnumerable<string> sources, IRunContext runContext, IFrameworkHandle handle)
    {
        foreach (var group in sources.GroupBy(s => Path.GetDirectoryName(Path.GetFullPath(s))))
        {
            foreach (var adapter in FrameworkAdapter.FindBeside(group.First()))
            {
                if ((adapter.DefaultExecutorUri ?? adapter.ExecutorUris.FirstOrDefault()) is { } uri)
                {
                    adapter.CreateExecutor(uri).RunTests(group, runContext, handle);
                }
            }
        }
    }
}
