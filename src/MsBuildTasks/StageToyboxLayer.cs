namespace ContainerTest.MsBuildTasks;

using System.Diagnostics;
using Microsoft.Build.Framework;

/// <summary>
/// Stages the toolbox for <c>dotnet containertest shell</c> into the test output: the static
/// multi-call binary (busybox-static) and the list of its applets, one a line. The shell's job
/// turns the list into one symlink per applet at <c>/.containertest/bin</c>, so the symlinks
/// need no support from the host's file system (Windows) or the copy in between.
/// </summary>
public sealed class StageToyboxLayer : Microsoft.Build.Utilities.Task
{
    /// <summary>The file name of the binary in <see cref="Destination"/>.</summary>
    public const string BinaryName = "busybox";

    /// <summary>The file name of the applet list in <see cref="Destination"/>.</summary>
    public const string AppletListName = "applets";

    /// <summary>
    /// Applets every busybox build has: what the list holds when the binary cannot be run on the
    /// build machine (another OS or CPU) to ask for its own.
    /// </summary>
    private static readonly string[] BaselineApplets =
    [
        "sh", "ash", "ls", "cat", "cp", "mv", "rm", "mkdir", "rmdir", "ln", "grep", "find", "xargs", "ps", "env", "less", "more",
        "vi", "wc", "head", "tail", "du", "df", "stat", "id", "which", "echo", "printf", "pwd", "touch", "chmod", "sort", "uniq",
        "sed", "awk", "tr", "cut", "tee", "kill", "sleep", "top", "free", "uname", "hostname", "date", "basename", "dirname",
        "readlink", "realpath", "tar", "gzip", "gunzip", "hexdump", "od", "strings", "diff", "test", "[", "true", "false", "clear",
        "reset", "mount", "whoami", "nslookup", "wget", "nc",
    ];

    /// <summary>The static binary to stage.</summary>
    [Required]
    public string Binary { get; set; } = string.Empty;

    /// <summary>The folder it goes to (e.g. <c>$(OutDir).containertest/toolbox/</c>).</summary>
    [Required]
    public string Destination { get; set; } = string.Empty;

    /// <inheritdoc />
    public override bool Execute()
    {
        if (!File.Exists(Binary))
        {
            Log.LogError(
                $"ContainerTest: the toolbox binary '{Binary}' does not exist, so `dotnet containertest shell` would have no tools. "
                + "Install busybox-static (apt-get install busybox-static) or set ContainerTestToolboxBinary to a static busybox.");
            return false;
        }

        Directory.CreateDirectory(Destination);
        var binaryTarget = Path.Combine(Destination, BinaryName);
        File.Copy(Binary, binaryTarget, overwrite: true);

        // A copy keeps the source's time stamp, which would make the target's Outputs look stale forever.
        File.SetLastWriteTimeUtc(binaryTarget, DateTime.UtcNow);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(binaryTarget, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var listTarget = Path.Combine(Destination, AppletListName);
        File.WriteAllLines(listTarget, AppletsOf(binaryTarget));
        return true;
    }

    private string[] AppletsOf(string binary)
    {
        try
        {
            var start = new ProcessStartInfo(binary, "--list") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start);
            if (process is not null)
            {
                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                var applets = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (process.ExitCode == 0 && applets.Contains("sh"))
                {
                    return applets;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not runnable here (another OS or CPU): the baseline list below.
        }

        Log.LogMessage(MessageImportance.Low, $"ContainerTest: could not ask {binary} for its applets; staging the baseline list.");
        return BaselineApplets;
    }
}
