namespace ContainerTest.Cli.Projects;

using ContainerTest.ContainerRuntime.Composition;
using ContainerTest.TestAdapter.Settings;

/// <summary>The settings and image `dotnet test` would use for a test assembly: its build settings, then CONTAINERTEST_* (runsettings are not read).</summary>
internal static class TestSettings
{
    public static ContainerTestSettings Load(string testAssembly)
    {
        try
        {
            return SettingsLoader.Load(Path.GetDirectoryName(testAssembly), runSettingsXml: null, Environment.GetEnvironmentVariables());
        }
        catch (InvalidSettingException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    /// <summary>The image the test runs in: the one asked for, the configured one, or the host image.</summary>
    public static async Task<string> ImageAsync(JobRuntime runtime, ContainerTestSettings settings, string? imageOverride, CancellationToken cancellationToken) =>
        imageOverride ?? settings.Image ?? await runtime.EnsureHostImageAsync(cancellationToken).ConfigureAwait(false);
}
