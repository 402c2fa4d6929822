namespace ContainerTest.MsBuildTasks;

using System.Diagnostics;
using Microsoft.Build.Framework;

/// <summary>
/// Stages the toolbox for <c>dotnet containertest shell</c> into the test output: the static
/// multi-call binaries — toybox (0BSD) for every tool it has, and busybox only for what toybox
/// 0.8.9 lacks (a shell: its own is unfinished; vi, less, more, awk…) — and the list of tools,
/// one a line as <c>name&lt;TAB&gt;binary</c>. The shell's job turns the list into one symlink
/// per tool at <c>/.containertest/bin</c>, so the symlinks need no support from the host's file
/// system (Windows) or the copy in between.
/// </summary>
public sealed class StageToyboxLayer : Microsoft.Build.Utilities.Task
{
    /// <summary>The file name of the busybox binary in <see cref="Destination"/>.</summary>
    public const string BinaryName = "busybox";

    /// <summary>The file name of the toybox binary in <see cref="Destination"/>.</summary>
    public const string ToyboxName = "toybox";

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

    /// <summary>The static busybox to stage.</summary>
    [Required]
    public string Binary { get; set; } = string.Empty;

    /// <summary>The static toybox to stage beside it (preferred for every tool it has); empty for none.</summary>
    public string Toybox { get; set; } = string.Empty;

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
        Stage(Binary, binaryTarget);
        var tools = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Toybox.Length > 0 && File.Exists(Toybox))
        {
            var toyboxTarget = Path.Combine(Destination, ToyboxName);
            Stage(Toybox, toyboxTarget);
            foreach (var applet in AppletsOf(toyboxTarget, listArgument: null, required: "ls") ?? [])
            {
                tools[applet] = ToyboxName;
            }
        }

        foreach (var applet in AppletsOf(binaryTarget, "--list", required: "sh") ?? BaselineApplets)
        {
            tools.TryAdd(applet, BinaryName);
        }

        var listTarget = Path.Combine(Destination, AppletListName);
        File.WriteAllLines(listTarget, tools.Where(t => t.Key is not (BinaryName or ToyboxName)).OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "\t" + t.Value));
        return true;
    }

    private static void Stage(string source, string target)
    {
        File.Copy(source, target, overwrite: true);

        // A copy keeps the source's time stamp, which would make the target's Outputs look stale forever.
        File.SetLastWriteTimeUtc(target, DateTime.UtcNow);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
    }

    /// <summary>The tools a multi-call binary says it has (toybox lists them when run bare, busybox with --list); null when it cannot be run here.</summary>
    private string[]? AppletsOf(string binary, string? listArgument, string required)
    {
        try
        {
            var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (listArgument is not null)
            {
                start.ArgumentList.Add(listArgument);
            }

            using var process = Process.Start(start);
            if (process is not null)
            {
                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                var applets = output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (process.ExitCode == 0 && applets.Contains(required))
                {
                    return applets;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not runnable here (another OS or CPU): the baseline list below.
        }

        Log.LogMessage(MessageImportance.Low, $"ContainerTest: could not ask {binary} for its tools.");
        return null;
    }
}
