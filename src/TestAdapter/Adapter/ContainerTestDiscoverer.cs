namespace ContainerTest.TestAdapter;

using System.ComponentModel;
using ContainerTest.Protocol;
using ContainerTest.TestAdapter.Discovery;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// Finds tests through the test project's own framework adapter (MSTest, xUnit, NUnit) and
/// claims them for <see cref="ContainerTestExecutor"/>, identities unchanged.
/// </summary>
[FileExtension(".dll")]
[FileExtension(".exe")]
[DefaultExecutorUri(TestCaseTags.ContainerTestExecutorUri)]
[Category("managed")]
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
