namespace ContainerTest.TestAdapter.Execution;

using ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// A test's output folder under /root with a non-root test user (the default, 1000): the job sees
/// the folder at the same path, below the image's own /root, which images keep closed (mode 0700,
/// as the host image does), so no test's process can even start (dotnet: "realpath(…) failed:
/// Permission denied", exit 129). Other closed folders of this machine (a home folder of mode
/// 0750) do not matter: the image has no such folder, and the engine makes the missing path open.
/// </summary>
internal static class UnenterableOutputFolder
{
    /// <summary>The folder images keep closed to every user but root.</summary>
    public const string RootHome = "/root";

    /// <summary>The warning for <paramref name="outputFolder"/> when it lies under /root and <paramref name="user"/> is not root; null otherwise.</summary>
    public static string? Warning(string outputFolder, UserIdentity user) =>
        OperatingSystem.IsWindows() || user.Uid == 0 || !outputFolder.StartsWith(RootHome + "/", StringComparison.Ordinal)
            ? null
            : $"ContainerTest: the tests of {outputFolder} run as uid {user.Uid} (ContainerTestUser), which may not enter {RootHome} in the test's image (images keep it mode 0700): no test can start there (\"Permission denied\"). "
                + "Move the project out of /root, or run the tests as root in their sandboxes (ContainerTestUser=0).";
}
