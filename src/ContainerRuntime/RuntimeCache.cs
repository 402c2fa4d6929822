namespace ContainerTest.ContainerRuntime;

/// <summary>
/// Where ContainerTest keeps what it makes once per machine and reuses (runtime layers, the
/// sandbox helpers): <c>$CONTAINERTEST_CACHE</c>, else <c>$XDG_CACHE_HOME/containertest</c>, else
/// <c>~/.cache/containertest</c>.
/// </summary>
public static class RuntimeCache
{
    /// <summary>The cache's root folder (not created here).</summary>
    public static string Root
    {
        get
        {
            if (Environment.GetEnvironmentVariable("CONTAINERTEST_CACHE") is { Length: > 0 } configured)
            {
                return configured;
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(xdg is { Length: > 0 } ? xdg : Path.Combine(home.Length > 0 ? home : Path.GetTempPath(), ".cache"), "containertest");
        }
    }
}
