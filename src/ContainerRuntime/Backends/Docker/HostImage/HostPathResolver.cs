namespace ContainerTest.ContainerRuntime.Backends.Docker.HostImage;

/// <summary>
/// Resolves a host path the way the kernel does, one component at a time, and tells the caller
/// every symbolic link and real directory it passes through. That is what lets the host image
/// reproduce a path such as <c>/lib64/ld-linux-x86-64.so.2</c> on a merged-/usr system as the
/// host has it — <c>lib64 → usr/lib64</c>, <c>usr/lib64/ld-linux-x86-64.so.2 →
/// /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2</c>, <c>lib → usr/lib</c> and one real file —
/// instead of copying the same file under several names.
/// </summary>
internal static class HostPathResolver
{
    // Linux gives up after 40 links in one lookup (ELOOP); so do we.
    private const int MaxLinks = 40;

    /// <summary>What the walk found along the way.</summary>
    internal interface IVisitor
    {
        /// <summary>A real directory, given as a canonical path.</summary>
        void Directory(DirectoryInfo directory);

        /// <summary>A symbolic link at a canonical location (its parent has no links), with its target as written.</summary>
        void Symlink(FileSystemInfo link, string target);
    }

    /// <summary>The canonical path (every link resolved, like realpath(3)), or null when it does not exist.</summary>
    public static string? Canonicalize(string path) => Resolve(path, visitor: null);

    /// <summary>Resolves <paramref name="path"/> and reports each link and directory on the way; returns the canonical path or null when it does not exist.</summary>
    public static string? Resolve(string path, IVisitor? visitor)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            path = Path.GetFullPath(path);
        }

        var pending = new Stack<string>();
        PushComponents(pending, path);
        var current = "/";
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var candidate = current == "/" ? "/" + part : current + "/" + part;
            FileSystemInfo info = new FileInfo(candidate);
            if (!info.Exists && !System.IO.Directory.Exists(candidate) && info.LinkTarget is null)
            {
                return null;
            }

            if (info.LinkTarget is { } target)
            {
                if (++links > MaxLinks)
                {
                    throw new IOException($"Too many levels of symbolic links resolving '{path}'.");
                }

                visitor?.Symlink(info, target);
                PushComponents(pending, target);

                if (target.StartsWith('/'))
                {
                    current = "/";
                }

                continue;
            }

            if (System.IO.Directory.Exists(candidate))
            {
                visitor?.Directory(new DirectoryInfo(candidate));
            }
            else if (pending.Any(component => component is not ("" or ".")))
            {
                // A regular file in the middle of the path (".." after it, or more names): ENOTDIR.
                return null;
            }

            current = candidate;
        }

        return current;
    }

    // Pushed last-first, so that popping yields the components in order.
    private static void PushComponents(Stack<string> pending, string path)
    {
        var components = path.Split('/');
        for (var index = components.Length - 1; index >= 0; index--)
        {
            pending.Push(components[index]);
        }
    }
}
