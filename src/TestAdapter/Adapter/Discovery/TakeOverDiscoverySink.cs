namespace ContainerTest.TestAdapter.Discovery;

using ContainerTest.Protocol;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;

/// <summary>Passes on what a framework's discoverer finds, each test case re-addressed to ContainerTest's executor.</summary>
internal sealed class TakeOverDiscoverySink(ITestCaseDiscoverySink inner, string adapterPath) : ITestCaseDiscoverySink
{
    public int Count { get; private set; }

    public void SendTestCase(TestCase discoveredTest)
    {
        TestCaseTags.TakeOver(discoveredTest, adapterPath);
        Count++;
        inner.SendTestCase(discoveredTest);
    }
}
