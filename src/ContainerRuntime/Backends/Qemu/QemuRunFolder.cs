namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Globalization;
using System.Runtime.Versioning;

/// <summary>
/// The folder of one run's VMs (their sockets and console logs, the saved states, the layers'
/// disk images): <c>$TMPDIR/ctvm-&lt;pid&gt;-&lt;random&gt;</c>, short enough for socket paths.
/// It is removed when the backend is disposed; one left by a test host that was killed (its
/// VMs died with it: see the launcher) is removed by the next run on this machine.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class QemuRunFolder
{
    private const string Prefix = "ctvm-";

    /// <summary>Makes a new run folder.</summary>
    public static string Create()
    {
        var folder = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}"));
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder;
    }

    /// <summary>Removes run folders whose process is gone; returns how many.</summary>
    public static int RemoveOrphans()
    {
        var removed = 0;
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var name = Path.GetFileName(folder)[Prefix.Length..];
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                    removed++;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // another user's, or going away right now
                }
            }
        }

        return removed;
    }

    /// <summary>Removes a run folder (what is left of it).</summary>
    public static void Remove(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the next run's sweep takes it
        }
    }
}
