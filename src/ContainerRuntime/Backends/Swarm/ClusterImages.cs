namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipes;
using System.Security.Cryptography;
using System.Text;
using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Turns a worker's image and layers into one image that every node of a cluster can pull: no
/// node shares a disk with the test host, so what a local worker sees through bind mounts (the
/// output folder, the source tree, the sandbox assets, a ReadyToRun layer…) is baked in, one image
/// layer per job layer, on the manager's engine, then pushed to the run's registry and named by
/// its digest. Each prefix of layers is kept on the manager as <c>containertest/cluster:&lt;hash&gt;</c>
/// (keyed by the image and the layers' fingerprints), so a rerun with nothing rebuilt bakes nothing
/// and one with a rebuilt output folder bakes only what lies from it up; the registry stores each
/// layer once. Images of one run are made once however many workers ask.
/// </summary>
internal sealed class ClusterImages(DockerClient client, string registry, string runId)
{
    /// <summary>The repository of the baked layers on the manager's engine.</summary>
    public const string LocalRepository = "containertest/cluster";

    /// <summary>The repository in the registry the nodes pull from.</summary>
    public const string RemoteRepository = "containertest/worker";

    /// <summary>The value of the <c>io.containertest.kind</c> label on the baked images.</summary>
    public const string KindLabelValue = "cluster-image";

    private readonly ImagePuller puller = new(client);
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> images = new(StringComparer.Ordinal);

    /// <summary>
    /// The image, pinned by digest in the registry (<c>registry/containertest/worker@sha256:…</c>),
    /// that holds <paramref name="spec"/>'s image and every one of its layers.
    /// </summary>
    /// <exception cref="ContainerRuntimeException">The engine could not make it, or the registry refused it; the message says which and how to fix it.</exception>
    public async Task<string> PrepareAsync(JobSpec spec, CancellationToken cancellationToken)
    {
        var layers = spec.Layers.Select(l => (Layer: l, Fingerprint: LayerFingerprint.Of(l))).ToList();
        var key = spec.Image + "|" + string.Join("|", layers.Select(l => l.Fingerprint));
        var pending = images.GetOrAdd(key, _ => new Lazy<Task<string>>(() => BakeAndPushAsync(spec.Image, layers)));
        try
        {
            return await pending.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            images.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(key, pending));
            throw;
        }
    }

    // Not cancellable: shared by every worker that waits for it (each stops waiting on its own token).
    private async Task<string> BakeAndPushAsync(string image, IReadOnlyList<(Layer Layer, string Fingerprint)> layers)
    {
        await puller.EnsurePresentAsync(image, CancellationToken.None).ConfigureAwait(false);
        var parent = (await client.Images.InspectImageAsync(image, CancellationToken.None).ConfigureAwait(false)).ID;
        var prefix = parent;
        foreach (var (layer, fingerprint) in layers)
        {
            prefix = Hash(prefix + "|" + fingerprint);
            var tag = $"{LocalRepository}:{prefix[..16]}";
            if (!await ExistsAsync(tag).ConfigureAwait(false))
            {
                await BakeAsync(parent, layer, prefix[..16]).ConfigureAwait(false);
            }

            parent = tag;
        }

        return await PushAsync(parent, prefix[..16]).ConfigureAwait(false);
    }

    private async Task<bool> ExistsAsync(string reference)
    {
        try
        {
            await client.Images.InspectImageAsync(reference, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    /// <summary>One layer on top of <paramref name="parent"/>: a container made (never started), the files copied in, committed.</summary>
    private async Task BakeAsync(string parent, Layer layer, string tag)
    {
        var created = await client.Containers.CreateContainerAsync(
            new CreateContainerParameters
            {
                Image = parent,
                Cmd = ["/containertest-never-started"],
                Labels = new Dictionary<string, string>
                {
                    [ContainerLabels.Managed] = "true",
                    [ContainerLabels.RunId] = runId,
                    [ContainerLabels.Kind] = "cluster-build",
                    [ContainerLabels.OwnerProcessId] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                    [ContainerLabels.OwnerHost] = Environment.MachineName,
                },
                HostConfig = new HostConfig { NetworkMode = "none" },
            },
            CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (layer is HostDirectoryLayer directory)
            {
                await CopyDirectoryAsync(created.ID, directory).ConfigureAwait(false);
            }
            else
            {
                await LayerCopy.IntoAsync(client, created.ID, layer, owner: null, fromRoot: true, CancellationToken.None).ConfigureAwait(false);
            }

            await client.Images.CommitContainerChangesAsync(
                new CommitContainerChangesParameters
                {
                    ContainerID = created.ID,
                    RepositoryName = LocalRepository,
                    Tag = tag,
                    Changes =
                    [
                        $"LABEL {ContainerLabels.Managed}=true",
                        $"LABEL {ContainerLabels.Kind}={KindLabelValue}",
                        $"LABEL {ContainerLabels.RunId}=",
                        $"LABEL {ContainerLabels.OwnerProcessId}=",
                        $"LABEL {ContainerLabels.OwnerHost}=",
                    ],
                },
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            throw new ContainerRuntimeException(
                $"The engine at {client.Options.Endpoint} could not bake {Describe(layer)} into the image the cluster's nodes pull: {DockerJobRun.ApiMessage(ex)}",
                RetryClass.Unknown,
                ex);
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
    }

    private async Task CopyDirectoryAsync(string containerId, HostDirectoryLayer layer)
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var readEnd = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var writing = Task.Run(
            async () =>
            {
                try
                {
                    await BakedDirectoryArchive.WriteAsync(pipe, layer, CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    pipe.Dispose(); // end of stream for the reader
                }
            },
            CancellationToken.None);
        try
        {
            await client.Containers.ExtractArchiveToContainerAsync(containerId, new CopyToContainerParameters { Path = "/" }, readEnd, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            readEnd.Dispose();
            try
            {
                await writing.ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The reader went away: the engine's error above says why.
            }
        }
    }

    /// <summary>Pushes <paramref name="local"/> to the registry; returns its reference by digest.</summary>
    private async Task<string> PushAsync(string local, string tag)
    {
        var name = $"{registry}/{RemoteRepository}";
        await client.Images.TagImageAsync(local, new ImageTagParameters { RepositoryName = name, Tag = tag }, CancellationToken.None).ConfigureAwait(false);

        // The engine answers a push with 200 and reports failures only inside the progress stream.
        string? error = null;
        try
        {
            var auth = await RegistryCredentials.FindAsync(ImageReference.Parse(name).RegistryHost, CancellationToken.None).ConfigureAwait(false);
            await client.Images.PushImageAsync(
                name,
                new ImagePushParameters { Tag = tag },
                auth ?? new AuthConfig(),
                new SynchronousProgress<JSONMessage>(message =>
                {
                    if (message.Error?.Message is { Length: > 0 } text)
                    {
                        error ??= text;
                    }
                }),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            error = DockerJobRun.ApiMessage(ex);
        }

        if (error is not null)
        {
            throw new RegistryUnreachableException(
                name,
                $"The worker image could not be pushed to the registry {registry} (ContainerTestRegistry), from which the cluster's nodes pull it: {error.Trim().TrimEnd('.')}. "
                + $"Check that the engine at {client.Options.Endpoint} can push there (`docker push {name}:{tag}`; a registry on plain HTTP must be among its insecure-registries, and every node's), or log in (`docker login {registry}`).");
        }

        var pushed = await client.Images.InspectImageAsync($"{name}:{tag}", CancellationToken.None).ConfigureAwait(false);
        return pushed.RepoDigests?.FirstOrDefault(d => d.StartsWith(name + "@", StringComparison.Ordinal))
            ?? throw new ContainerRuntimeException($"The registry {registry} took the worker image but the engine knows no digest for it; the nodes could not be sure to run the same image. Push {name}:{tag} by hand to see why.", RetryClass.Unknown);
    }

    private static string Describe(Layer layer) => layer switch
    {
        HostDirectoryLayer directory => $"the folder {directory.HostPath} (seen at {directory.ContainerPath})",
        FileLayer file => $"the file {file.ContainerPath}",
        SymlinkLayer link => $"the link {link.ContainerPath}",
        TarArchiveLayer tar => $"the archive {tar.ArchivePath}",
        _ => layer.GetType().Name,
    };

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
}
