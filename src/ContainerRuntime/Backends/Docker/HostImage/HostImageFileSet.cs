namespace ContainerTest.ContainerRuntime.Backends.Docker.HostImage;

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

/// <summary>
/// Everything the host image holds — entries, environment, labels — and its content hash, from
/// which the tag is made. Host paths are added either where the host has them (libraries, with
/// every symbolic link on the way reproduced as a link) or at a new place (the dotnet root,
/// which always lands at <c>/usr/share/dotnet</c>).
/// </summary>
internal sealed class HostImageFileSet
{
    /// <summary>
    /// Part of the hash. Raise it whenever what is built from the same host files changes (a new
    /// generated file, another mode, another layout) so that old images are not reused.
    /// </summary>
    public const int FormatVersion = 1;

    private const UnixFileMode DefaultDirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly Dictionary<string, HostImageEntry> entries = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> environment = [];
    private readonly SortedDictionary<string, string> labels = new(StringComparer.Ordinal);

    /// <summary>The entries in archive order: ordinal by path, so each directory comes before what it holds.</summary>
    public IReadOnlyList<HostImageEntry> Entries => entries.Values.OrderBy(entry => entry.Path, StringComparer.Ordinal).ToList();

    /// <summary>The image's environment, in the order it was set.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment => environment;

    /// <summary>The image's labels.</summary>
    public IReadOnlyDictionary<string, string> Labels => labels;

    /// <summary>Whether an entry is at <paramref name="imagePath"/> (absolute or relative).</summary>
    public bool Contains(string imagePath) => entries.ContainsKey(Relative(imagePath));

    /// <summary>Sets an environment variable of the image (replacing an earlier value).</summary>
    public void SetEnvironment(string name, string value)
    {
        environment.RemoveAll(pair => string.Equals(pair.Key, name, StringComparison.Ordinal));
        environment.Add(new(name, value));
    }

    /// <summary>Sets a label of the image.</summary>
    public void SetLabel(string name, string value) => labels[name] = value;

    /// <summary>
    /// Reproduces a host path at the same place in the image: every link on the way becomes a
    /// link, every directory a directory (host modes), and the file itself a copy. Returns false
    /// when the path does not exist.
    /// </summary>
    public bool AddHostPath(string hostPath)
    {
        var canonical = HostPathResolver.Resolve(hostPath, new Recorder(this));
        if (canonical is null)
        {
            return false;
        }

        if (File.Exists(canonical))
        {
            Add(HostImageEntry.HostFile(Relative(canonical), new FileInfo(canonical)));
        }

        return true;
    }

    /// <summary>
    /// Reproduces a host directory tree at the same place in the image, links kept as links
    /// (a link inside the tree that points outside it may dangle in the image: harmless).
    /// <paramref name="skip"/> gets the path relative to <paramref name="hostDirectory"/>.
    /// </summary>
    public void AddHostTree(string hostDirectory, Func<string, bool>? skip = null)
    {
        var canonical = HostPathResolver.Resolve(hostDirectory, new Recorder(this));
        if (canonical is not null && Directory.Exists(canonical))
        {
            CopyTree(new DirectoryInfo(canonical), Relative(canonical), "", preserveLinks: true, skip, new HashSet<string>(StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Copies a host directory tree to <paramref name="imagePath"/>, following links (their
    /// targets are copied). For the dotnet root, whose location in the image differs from the
    /// host's, so links out of it cannot be kept.
    /// </summary>
    public void AddHostTreeAt(string hostDirectory, string imagePath, Func<string, bool>? skip = null)
    {
        var canonical = HostPathResolver.Canonicalize(hostDirectory);
        if (canonical is not null && Directory.Exists(canonical))
        {
            var visited = new HashSet<string>(StringComparer.Ordinal) { canonical };
            CopyTree(new DirectoryInfo(canonical), Relative(imagePath), "", preserveLinks: false, skip, visited);
        }
    }

    /// <summary>Copies one host file (links followed) to <paramref name="imagePath"/>; its parents are made as needed. False when it does not exist.</summary>
    public bool AddHostFileAt(string hostFile, string imagePath)
    {
        var canonical = HostPathResolver.Canonicalize(hostFile);
        if (canonical is null || !File.Exists(canonical))
        {
            return false;
        }

        var relative = Relative(imagePath);
        EnsureParents(relative);
        Add(HostImageEntry.HostFile(relative, new FileInfo(canonical)));
        return true;
    }

    /// <summary>Adds a directory (and any missing parents, root-owned 0755).</summary>
    public void AddDirectory(string imagePath, UnixFileMode mode, int uid = 0, int gid = 0)
    {
        var relative = Relative(imagePath);
        EnsureParents(relative);
        Add(HostImageEntry.Directory(relative, mode, uid, gid));
    }

    /// <summary>Adds a symbolic link (and any missing parents).</summary>
    public void AddSymlink(string imagePath, string target)
    {
        var relative = Relative(imagePath);
        EnsureParents(relative);
        Add(HostImageEntry.Symlink(relative, target));
    }

    /// <summary>Adds a file with the given content (and any missing parents).</summary>
    public void AddGenerated(string imagePath, string content, UnixFileMode mode)
    {
        var relative = Relative(imagePath);
        EnsureParents(relative);
        Add(HostImageEntry.Generated(relative, Encoding.UTF8.GetBytes(content), mode));
    }

    /// <summary>
    /// The sha256 (lower-case hex) of everything that decides the image: the format version,
    /// each entry (path, kind, mode, owner; host files' size and mtime; links' targets;
    /// generated files' content), the environment and the labels.
    /// </summary>
    public string ComputeHash()
    {
        var text = new StringBuilder();
        text.Append("containertest-host-image ").Append(FormatVersion.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var entry in Entries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{entry.Kind} {entry.Path}\0 {(int)entry.Mode} {entry.Uid}:{entry.Gid}");
            switch (entry.Kind)
            {
                case HostImageEntryKind.HostFile:
                    text.Append(CultureInfo.InvariantCulture, $" {entry.Size} {entry.ModificationTime.UtcTicks}");
                    break;
                case HostImageEntryKind.Symlink:
                    text.Append(" -> ").Append(entry.LinkTarget).Append('\0');
                    break;
                case HostImageEntryKind.GeneratedFile:
                    text.Append(' ').Append(Convert.ToHexString(SHA256.HashData(entry.Content.Span)));
                    break;
            }

            text.Append('\n');
        }

        foreach (var (name, value) in environment)
        {
            text.Append("ENV ").Append(name).Append('=').Append(value).Append('\0').Append('\n');
        }

        foreach (var (name, value) in labels)
        {
            text.Append("LABEL ").Append(name).Append('=').Append(value).Append('\0').Append('\n');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }

    /// <summary>The image path relative to the root, without leading or trailing slashes.</summary>
    public static string Relative(string path) => path.Trim('/');

    private void CopyTree(DirectoryInfo directory, string imagePath, string relativeToTop, bool preserveLinks, Func<string, bool>? skip, HashSet<string> visited)
    {
        EnsureParents(imagePath);
        Add(HostImageEntry.Directory(imagePath, directory.UnixFileMode));
        foreach (var item in directory.EnumerateFileSystemInfos().OrderBy(item => item.Name, StringComparer.Ordinal))
        {
            var relative = relativeToTop.Length == 0 ? item.Name : relativeToTop + "/" + item.Name;
            if (skip?.Invoke(relative) == true)
            {
                continue;
            }

            var itemImagePath = imagePath + "/" + item.Name;
            if (item.LinkTarget is { } target)
            {
                if (preserveLinks)
                {
                    Add(HostImageEntry.Symlink(itemImagePath, target));
                    continue;
                }

                var resolved = HostPathResolver.Canonicalize(item.FullName);
                if (resolved is null)
                {
                    continue; // Dangling: nothing to copy.
                }

                if (Directory.Exists(resolved))
                {
                    if (visited.Add(resolved))
                    {
                        CopyTree(new DirectoryInfo(resolved), itemImagePath, relative, preserveLinks, skip, visited);
                    }
                }
                else
                {
                    Add(HostImageEntry.HostFile(itemImagePath, new FileInfo(resolved)));
                }
            }
            else if (item is DirectoryInfo child)
            {
                CopyTree(child, itemImagePath, relative, preserveLinks, skip, visited);
            }
            else if (item is FileInfo file && (file.Attributes & FileAttributes.Device) == 0)
            {
                Add(HostImageEntry.HostFile(itemImagePath, file));
            }
        }
    }

    private void EnsureParents(string relative)
    {
        var slash = relative.LastIndexOf('/');
        if (slash <= 0)
        {
            return;
        }

        var parent = relative[..slash];
        if (entries.TryGetValue(parent, out var existing))
        {
            if (existing.Kind != HostImageEntryKind.Directory)
            {
                throw new InvalidOperationException($"Cannot put '/{relative}' into the host image: '/{parent}' is already a {existing.Kind}.");
            }

            return;
        }

        EnsureParents(parent);
        Add(HostImageEntry.Directory(parent, DefaultDirectoryMode));
    }

    private void Add(HostImageEntry entry)
    {
        if (entry.Path.Length == 0)
        {
            return; // The root itself.
        }

        if (entries.TryGetValue(entry.Path, out var existing))
        {
            if (existing.Kind != entry.Kind
                || (entry.Kind == HostImageEntryKind.Symlink && !string.Equals(existing.LinkTarget, entry.LinkTarget, StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"The host image would hold two different things at '/{entry.Path}' ({existing.Kind} and {entry.Kind}).");
            }

            return; // First one wins; the same directory is reached from many paths.
        }

        entries.Add(entry.Path, entry);
    }

    /// <summary>Turns what <see cref="HostPathResolver"/> passes into entries at the same place.</summary>
    private sealed class Recorder(HostImageFileSet set) : HostPathResolver.IVisitor
    {
        public void Directory(DirectoryInfo directory) => set.Add(HostImageEntry.Directory(Relative(directory.FullName), directory.UnixFileMode));

        public void Symlink(FileSystemInfo link, string target) => set.Add(HostImageEntry.Symlink(Relative(link.FullName), target));
    }
}
