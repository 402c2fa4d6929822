namespace ContainerTest.ContainerRuntime.Backends.Docker.HostImage;

/// <summary>The kinds of things the host image holds.</summary>
internal enum HostImageEntryKind
{
    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A regular file copied from the host.</summary>
    HostFile,

    /// <summary>A symbolic link (its target as written on the host, or as we chose it).</summary>
    Symlink,

    /// <summary>A regular file whose content we wrote (/etc/passwd, …).</summary>
    GeneratedFile,
}

/// <summary>
/// One entry of the host image, at <see cref="Path"/> relative to the image's root (no leading
/// slash). Everything the tar needs is here, so the archive is a function of the entry list and
/// the host files' bytes — which is what the content hash covers.
/// </summary>
internal sealed class HostImageEntry
{
    private HostImageEntry(string path, HostImageEntryKind kind, UnixFileMode mode, int uid, int gid)
    {
        Path = path;
        Kind = kind;
        Mode = mode;
        Uid = uid;
        Gid = gid;
    }

    /// <summary>Where the entry is in the image, relative to its root: <c>usr/share/dotnet/dotnet</c>.</summary>
    public string Path { get; }

    /// <summary>What it is.</summary>
    public HostImageEntryKind Kind { get; }

    /// <summary>Permission bits (including setuid/setgid/sticky).</summary>
    public UnixFileMode Mode { get; }

    /// <summary>Owner user id.</summary>
    public int Uid { get; }

    /// <summary>Owner group id.</summary>
    public int Gid { get; }

    /// <summary>For <see cref="HostImageEntryKind.HostFile"/>: where its bytes are read from.</summary>
    public string? HostPath { get; private init; }

    /// <summary>For <see cref="HostImageEntryKind.HostFile"/>: its size when the set was made.</summary>
    public long Size { get; private init; }

    /// <summary>For <see cref="HostImageEntryKind.HostFile"/>: its modification time; otherwise a fixed time.</summary>
    public DateTimeOffset ModificationTime { get; private init; } = FixedTime;

    /// <summary>For <see cref="HostImageEntryKind.Symlink"/>: the target.</summary>
    public string? LinkTarget { get; private init; }

    /// <summary>For <see cref="HostImageEntryKind.GeneratedFile"/>: the content.</summary>
    public ReadOnlyMemory<byte> Content { get; private init; }

    /// <summary>
    /// The time given to everything that is not a host file: directories (a host folder's mtime
    /// changes whenever any package is installed, and must not change the image) and generated
    /// entries. A fixed time keeps the archive reproducible.
    /// </summary>
    public static DateTimeOffset FixedTime { get; } = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static HostImageEntry Directory(string path, UnixFileMode mode, int uid = 0, int gid = 0) =>
        new(path, HostImageEntryKind.Directory, mode, uid, gid);

    public static HostImageEntry HostFile(string path, FileInfo source) =>
        new(path, HostImageEntryKind.HostFile, source.UnixFileMode, 0, 0)
        {
            HostPath = source.FullName,
            Size = source.Length,
            ModificationTime = source.LastWriteTimeUtc,
        };

    public static HostImageEntry Symlink(string path, string target) =>
        new(path, HostImageEntryKind.Symlink, (UnixFileMode)0b111_111_111, 0, 0) { LinkTarget = target };

    public static HostImageEntry Generated(string path, ReadOnlyMemory<byte> content, UnixFileMode mode) =>
        new(path, HostImageEntryKind.GeneratedFile, mode, 0, 0) { Content = content, Size = content.Length };
}
