namespace ContainerTest.ContainerRuntime.Backends.Docker;

using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// Turns read-only host directories into bind mounts that leave room for copy-on-write layers
/// inside them. A read-only tree with a writable directory somewhere below it (a source tree
/// with its build output) cannot be one mount: files copied into the writable part would have to
/// pass through a read-only mount, which the engine refuses. So such a tree is mounted piece by
/// piece — every entry beside the path that leads to the writable directory — and that path
/// itself is left to the container's own file system.
/// </summary>
internal static class ReadOnlyMountPlan
{
    /// <summary>The (host path, container path) pairs to bind read-only.</summary>
    public static IEnumerable<(string HostPath, string ContainerPath)> For(IReadOnlyList<Layer> layers)
    {
        var writable = layers.OfType<HostDirectoryLayer>()
            .Where(l => l.Access == LayerAccess.CopyOnWrite)
            .Select(l => Normalize(l.ContainerPath))
            .ToList();

        foreach (var layer in layers.OfType<HostDirectoryLayer>().Where(l => l.Access == LayerAccess.ReadOnly))
        {
            foreach (var mount in Split(layer.HostPath, Normalize(layer.ContainerPath), writable))
            {
                yield return mount;
            }
        }
    }

    private static IEnumerable<(string, string)> Split(string hostPath, string containerPath, List<string> writable)
    {
        var inside = writable.Where(w => IsBelow(w, containerPath)).ToList();
        if (inside.Count == 0)
        {
            if (!writable.Contains(containerPath, StringComparer.Ordinal))
            {
                yield return (hostPath, containerPath);
            }

            yield break;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(hostPath))
        {
            var name = Path.GetFileName(entry);
            var childContainerPath = containerPath == "/" ? "/" + name : containerPath + "/" + name;
            foreach (var mount in Split(entry, childContainerPath, inside))
            {
                yield return mount;
            }
        }
    }

    private static bool IsBelow(string path, string directory) =>
        path.StartsWith(directory == "/" ? "/" : directory + "/", StringComparison.Ordinal) && path != directory;

    private static string Normalize(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
