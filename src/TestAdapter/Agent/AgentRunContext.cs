namespace ContainerTest.Agent;

using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;

/// <summary>The run context the framework adapter sees inside the container: the run's settings, no filter (the test is given).</summary>
internal sealed class AgentRunContext(string? settingsXml, string testRunDirectory) : IRunContext
{
    public bool KeepAlive => false;

    public bool InIsolation => false;

    public bool IsDataCollectionEnabled => false;

    public bool IsBeingDebugged => false;

    public string? TestRunDirectory => testRunDirectory;

    public string? SolutionDirectory => null;

    public IRunSettings? RunSettings { get; } = new AgentRunSettings(settingsXml);

    public ITestCaseFilterExpression? GetTestCaseFilter(IEnumerable<string>? supportedProperties, Func<string, TestProperty?> propertyProvider) => null;

    private sealed class AgentRunSettings(string? settingsXml) : IRunSettings
    {
        public string? SettingsXml => settingsXml;

        public ISettingsProvider? GetSettings(string? settingsName) => null;
    }
}
