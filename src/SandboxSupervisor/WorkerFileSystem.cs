namespace ContainerTest.SandboxSupervisor;

using System.Runtime.InteropServices;

/// <summary>
/// What the worker's own file system holds that shapes every sandbox: the directories the job's
/// user could write in a container of the same image (each sandbox gets them as a private,
/// throw-away overlay, so a job can write where it could in a container and no later job sees
/// it), which of the kernel's sensitive /proc and /sys entries exist (masked in every sandbox, as
/// the engine masks them in a container), and whether /etc/hosts and /etc/hostname are there to
/// be replaced by the sandbox's own.
/// </summary>
internal sealed partial class WorkerFileSystem
{
    /// <summary>Files of procfs and sysfs a container does not get to read (the engine's masked paths).</summary>
    private static readonly string[] MaskedFiles = ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/latency_stats"];

    /// <summary>Directories of procfs and sysfs a container sees empty.</summary>
    private static readonly string[] MaskedDirectories = ["/proc/acpi", "/proc/scsi", "/sys/firmware"];

    /// <summary>Trees every sandbox gets fresh, never from the worker: the kernel's and the device nodes.</summary>
    private static readonly string[] Special = ["/proc", "/sys", "/dev"];

    private const int WriteOk = 2;

    private WorkerFileSystem(IReadOnlyList<string> writable, IReadOnlyList<string> maskedFiles, IReadOnlyList<string> maskedDirectories, bool hasHosts, bool hasHostname)
    {
        Writable = writable;
        MaskedFilesPresent = maskedFiles;
        MaskedDirectoriesPresent = maskedDirectories;
        HasHosts = hasHosts;
        HasHostname = hasHostname;
    }

    /// <summary>Directories of the worker's root file system this process (the job's uid) may write, outermost only.</summary>
    public IReadOnlyList<string> Writable { get; }

    /// <summary>The masked files that exist here.</summary>
    public IReadOnlyList<string> MaskedFilesPresent { get; }

    /// <summary>The masked directories that exist here.</summary>
    public IReadOnlyList<string> MaskedDirectoriesPresent { get; }

    /// <summary>/etc/hosts exists.</summary>
    public bool HasHosts { get; }

    /// <summary>/etc/hostname exists.</summary>
    public bool HasHostname { get; }

    /// <summary>
    /// Looks at the worker. <paramref name="covered"/> are paths every sandbox gets anyway (its
    /// tmpfs mounts, copy-on-write directories): nothing at or below them is looked at.
    /// </summary>
    public static WorkerFileSystem Inspect(IReadOnlyCollection<string> covered)
    {
        var mountPoints = MountPoints();
        var skip = new HashSet<string>(covered.Concat(Special), StringComparer.Ordinal);
        var writable = new List<string>();
        Walk("/", mountPoints, skip, writable);
        return new WorkerFileSystem(
            writable,
            MaskedFiles.Where(File.Exists).ToList(),
            MaskedDirectories.Where(Directory.Exists).ToList(),
            File.Exists("/etc/hosts"),
            File.Exists("/etc/hostname"));
    }

    /// <summary>
    /// Collects writable directories below <paramref name="directory"/>. Mount points (read-only
    /// layers, the engine's files) and paths every sandbox gets anyway are left out. A writable
    /// directory is taken whole unless a mount point lies below it (an overlay's lower layer cannot
    /// hold other mounts: the engine's /etc/hosts in /etc, say); then its children are looked at.
    /// </summary>
    private static void Walk(string directory, IReadOnlySet<string> mountPoints, IReadOnlySet<string> skip, List<string> writable)
    {
        List<string> children;
        try
        {
            children = Directory.EnumerateDirectories(directory).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var child in children)
        {
            if (skip.Contains(child) || mountPoints.Contains(child) || new FileInfo(child).LinkTarget is not null)
            {
                continue;
            }

            var holdsMount = mountPoints.Any(m => m.StartsWith(child + "/", StringComparison.Ordinal));
            if (access(child, WriteOk) == 0 && !holdsMount)
            {
                writable.Add(child);
            }
            else
            {
                Walk(child, mountPoints, skip, writable);
            }
        }
    }

    /// <summary>Every mount point of this mount namespace (from /proc/self/mountinfo), but the root.</summary>
    private static HashSet<string> MountPoints()
    {
        var points = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && fields[4] != "/")
            {
                points.Add(Unescape(fields[4]));
            }
        }

        return points;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as octal (\040…).</summary>
    private static string Unescape(string field) =>
        field.Contains('\\', StringComparison.Ordinal)
            ? System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString())
            : field;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int access(string path, int mode);
}
