namespace ContainerTest.TestAdapter;

using ContainerTest.TestAdapter.Discovery;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// Finds tests through the test project's own framework adapter (MSTest, xUnit, NUnit) and
/// claims them for <see cref="ContainerTestExecutor"/>, identities unchanged. vstest reaches it
/// through the entry assembly's discoverer (ContainerTest.TestAdapter.dll), which creates it by
/// name in ContainerTest's own load context.
/// </summary>
public sealed class ContainerTestDiscoverer : ITestDiscoverer
{
    /// <inheritdoc />
    public void DiscoverTests(IEnumerable<string> sources, IDiscoveryContext discoveryContext, IMessageLogger logger, ITestCaseDiscoverySink discoverySink)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(logger);
        try
        {
            FrameworkDiscovery.Discover(sources, discoveryContext, logger, discoverySink);
        }
        catch (Exception ex)
        {
            logger.SendMessage(TestMessageLevel.Error, $"ContainerTest: discovery failed: {ex.Message}");
        }
    }
}
