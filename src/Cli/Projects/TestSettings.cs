namespace ContainerTest.Cli.Projects;

using ContainerTest.ContainerRuntime.Docker;
using ContainerTest.TestAdapter.Settings;

/// <summary>The settings and image `dotnet test` would use for a test assembly: its build settings, then CONTAINERTEST_* (runsettings are not read).</summary>
internal static class TestSettings
{
    public static async Task<(ContainerTestSettings Settings, string Image)> LoadAsync(DockerBackend backend, string testAssembly, string? imageOverride, CancellationToken cancellationToken)
    {
        ContainerTestSettings settings;
        try
        {
            settings = SettingsLoader.Load(Path.GetDirectoryName(testAssembly), runSettingsXml: null, Environment.GetEnvironmentVariables());
        }
        catch (InvalidSettingException ex)
        {
            throw new CliException(ex.Message);
        }

        var image = imageOverride ?? settings.Image ?? await backend.EnsureHostImageAsync(cancellationToken).ConfigureAwait(false);
        return (settings, image);
    }
}
