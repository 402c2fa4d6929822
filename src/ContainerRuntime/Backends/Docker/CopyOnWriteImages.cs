namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Copy-on-write host directories prepared once, not once per job: the directory is copied into
/// an image derived from the job's image (tagged by a hash of the image, the owner and the
/// directory's content, so a later run with nothing rebuilt reuses it), and each job's container
/// then gets its private copy from the storage driver's own copy-on-write layer — instead of a
/// tar of the whole directory streamed into a fresh volume for every job.
/// A directory under a tmpfs of the job (which would hide the image's copy) keeps the per-job copy.
/// The job's symbolic links are baked into the same image (a link costs the engine as much to copy
/// in per job as a small directory does).
/// </summary>
internal sealed class CopyOnWriteImages(DockerClient client, string runId)
{
    /// <summary>The repository of the derived images.</summary>
    public const string Repository = "containertest/cow";

    /// <summary>The value of the <c>io.containertest.kind</c> label on them.</summary>
    public const string KindLabelValue = "cow-image";

    private const string SourceLabel = "io.containertest.cow-source";

    private static readonly IReadOnlySet<string> None = new HashSet<string>(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> images = new(StringComparer.Ordinal);

    /// <summary>The job to run (on a derived image when that pays) and the layers that image already holds.</summary>
    public async Task<(JobSpec Spec, IReadOnlySet<string> BakedPaths)> PrepareAsync(JobSpec spec, CancellationToken cancellationToken)
    {
        var layers = spec.Layers.OfType<HostDirectoryLayer>()
            .Where(l => l.Access == LayerAccess.CopyOnWrite && !UnderTmpfs(l.ContainerPath, spec.Mounts))
            .OrderBy(l => l.ContainerPath, StringComparer.Ordinal)
            .ToList();
        if (layers.Count == 0)
        {
            return (spec, None);
        }

        var links = spec.Layers.OfType<SymlinkLayer>().Where(l => !UnderTmpfs(l.ContainerPath, spec.Mounts)).ToList();
        var key = new StringBuilder(spec.Image).Append('|').Append(spec.User?.ToString() ?? "root");
        foreach (var layer in layers)
        {
            key.Append('|').Append(layer.ContainerPath).Append('=').Append(Fingerprint(layer.HostPath));
        }

        foreach (var link in links)
        {
            key.Append("|link:").Append(link.ContainerPath).Append("->").Append(link.Target);
        }

        var tag = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())))[..16].ToLowerInvariant();
        var pending = images.GetOrAdd(tag, t => new Lazy<Task<string>>(() => EnsureAsync(spec, layers, links, t, cancellationToken)));
        try
        {
            var image = await pending.Value.ConfigureAwait(false);
            return (spec with { Image = image }, layers.Select(l => l.ContainerPath).Concat(links.Select(l => l.ContainerPath)).ToHashSet(StringComparer.Ordinal));
        }
        catch (DockerApiException)
        {
            // The engine would not make the image (say, no room for it): each job copies the directory itself.
            images.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(tag, pending));
            return (spec, None);
        }
    }

    private async Task<string> EnsureAsync(JobSpec spec, List<HostDirectoryLayer> layers, List<SymlinkLayer> links, string tag, CancellationToken cancellationToken)
    {
        var reference = $"{Repository}:{tag}";
        try
        {
            await client.Images.InspectImageAsync(reference, cancellationToken).ConfigureAwait(false);
            return reference; // an earlier run made it from the same content
        }
        catch (DockerImageNotFoundException)
        {
        }

        var created = await client.Containers.CreateContainerAsync(
            new CreateContainerParameters
            {
                Image = spec.Image,
                Cmd = ["/containertest-never-started"],
                Labels = new Dictionary<string, string>
                {
                    [ContainerLabels.Managed] = "true",
                    [ContainerLabels.RunId] = runId,
                    [ContainerLabels.Kind] = "cow-build",
                    [ContainerLabels.OwnerProcessId] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                    [ContainerLabels.OwnerHost] = Environment.MachineName,
                },
                HostConfig = new HostConfig { NetworkMode = "none" },
            },
            cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var layer in layers.Cast<Layer>().Concat(links))
            {
                await LayerCopy.IntoAsync(client, created.ID, layer, spec.User, fromRoot: true, cancellationToken).ConfigureAwait(false);
            }

            await client.Images.CommitContainerChangesAsync(
                new CommitContainerChangesParameters
                {
                    ContainerID = created.ID,
                    RepositoryName = Repository,
                    Tag = tag,
                    Changes =
                    [
                        $"LABEL {ContainerLabels.Managed}=true",
                        $"LABEL {ContainerLabels.Kind}={KindLabelValue}",
                        $"LABEL {SourceLabel}={Quote(string.Join(",", layers.Select(l => l.HostPath)))}",
                    ],
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (DockerApiException)
            {
                // Labelled: the next run's orphan sweep or `dotnet containertest clean` removes it.
            }
        }

        await RemoveOlderAsync(reference, string.Join(",", layers.Select(l => l.HostPath))).ConfigureAwait(false);
        return reference;
    }

    /// <summary>
    /// Images made from earlier builds of the same directories are of no further use, and neither
    /// are this machine's images of directories that are gone (a deleted worktree or temporary
    /// folder: no later job can be keyed to them).
    /// </summary>
    private async Task RemoveOlderAsync(string current, string source)
    {
        var older = await client.Images.ListImagesAsync(
            new ImagesListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Kind}={KindLabelValue}"] = true } },
            },
            CancellationToken.None).ConfigureAwait(false);
        foreach (var image in older.Where(i => i.Labels is { } labels && labels.TryGetValue(SourceLabel, out var from) && !(i.RepoTags?.Contains(current) ?? false)
            && (from == source || (OwnerProcess.IsOfThisMachine(labels) && from.Split(',').Any(folder => !Directory.Exists(folder))))))
        {
            try
            {
                await client.Images.DeleteImageAsync(image.ID, new ImageDeleteParameters(), CancellationToken.None).ConfigureAwait(false);
            }
            catch (DockerApiException)
            {
                // Still used by a run in progress: left for a later run or `clean`.
            }
        }
    }

    /// <summary>
    /// What the directory holds, cheaply: every entry's path, size, time and mode. Taken for every
    /// job (a walk of a build output costs milliseconds), so a directory changed between jobs of
    /// one backend gets an image of its own.
    /// </summary>
    private static string Fingerprint(string directory)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            var size = entry is FileInfo file ? file.Length : 0;
            var mode = OperatingSystem.IsWindows() ? 0 : (int)entry.UnixFileMode;
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Path.GetRelativePath(directory, entry.FullName)}\0{size}\0{entry.LastWriteTimeUtc.Ticks}\0{mode}\0{entry.LinkTarget}\n")));
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static bool UnderTmpfs(string path, IReadOnlyList<MountSpec> mounts) =>
        mounts.OfType<TmpfsMount>().Any(m => path == m.ContainerPath || path.StartsWith(m.ContainerPath.TrimEnd('/') + "/", StringComparison.Ordinal));

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
