namespace ContainerTest.TestAdapter.Entry;

using System.ComponentModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// The discoverer vstest finds: hands discovery to ContainerTest's adapter in its own load context,
/// which finds the tests through the test project's own framework adapter and claims them for
/// <see cref="ContainerTestExecutor"/>, identities unchanged.
/// </summary>
[FileExtension(".dll")]
[FileExtension(".exe")]
[DefaultExecutorUri(ContainerTestExecutor.ExecutorUri)]
[Category("managed")]
public sealed class ContainerTestDiscoverer : ITestDiscoverer
{
    /// <summary>The adapter's discoverer type.</summary>
    private const string DiscovererType = "ContainerTest.TestAdapter.ContainerTestDiscoverer";

    /// <inheritdoc />
    public void DiscoverTests(IEnumerable<string> sources, IDiscoveryContext discoveryContext, IMessageLogger logger, ITestCaseDiscoverySink discoverySink)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ITestDiscoverer discoverer;
        try
        {
            discoverer = PrivateAdapter.Create<ITestDiscoverer>(DiscovererType);
        }
        catch (PrivateAdapterException ex)
        {
            logger.SendMessage(TestMessageLevel.Error, ex.Message);
            return;
        }

        discoverer.DiscoverTests(sources, discoveryContext, logger, discoverySink);
    }
}
