namespace ContainerTest.TestAdapter.Execution;

using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;

/// <summary>Collects discovered test cases (for a run by sources, which discovers first).</summary>
internal sealed class ListDiscoverySink : ITestCaseDiscoverySink
{
    public List<TestCase> TestCases { get; } = [];

    public void SendTestCase(TestCase discoveredTest) => TestCases.Add(discoveredTest);
}
