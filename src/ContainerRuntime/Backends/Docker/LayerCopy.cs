namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.IO.Pipes;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>Copies one layer into a created (not started) container, streaming the tar as it is written.</summary>
internal static class LayerCopy
{
    /// <summary>
    /// False for a layer the container already has without a copy: a read-only host directory
    /// (bind-mounted at create time) or a directory or link baked into the job's prepared image (CopyOnWriteImages).
    /// </summary>
    public static bool IsNeeded(Layer layer, IReadOnlySet<string> bakedPaths) =>
        layer is not HostDirectoryLayer { Access: LayerAccess.ReadOnly }
        && !(layer is HostDirectoryLayer baked && bakedPaths.Contains(baked.ContainerPath))
        && !(layer is SymlinkLayer link && bakedPaths.Contains(link.ContainerPath));

    public static async Task IntoAsync(DockerClient client, string containerId, Layer layer, UserIdentity? owner, bool fromRoot, CancellationToken cancellationToken)
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var readEnd = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var writing = Task.Run(
            async () =>
            {
                try
                {
                    await LayerArchive.WriteAsync(pipe, layer, owner, fromRoot, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    pipe.Dispose(); // end of stream for the reader
                }
            },
            CancellationToken.None);
        try
        {
            var target = !fromRoot && layer is HostDirectoryLayer directory ? ParentOf(directory.ContainerPath) : "/";
            await client.Containers.ExtractArchiveToContainerAsync(containerId, new CopyToContainerParameters { Path = target }, readEnd, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            readEnd.Dispose();
            try
            {
                await writing.ConfigureAwait(false);
            }
            catch (IOException) when (cancellationToken.IsCancellationRequested)
            {
                // the reader went away because we were cancelled
            }
        }

        if (layer is TarArchiveLayer tar)
        {
            var archive = new FileStream(tar.ArchivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
            await using (archive.ConfigureAwait(false))
            {
                await client.Containers.ExtractArchiveToContainerAsync(containerId, new CopyToContainerParameters { Path = tar.ContainerPath }, archive, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string ParentOf(string containerPath)
    {
        var trimmed = containerPath.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash <= 0 ? "/" : trimmed[..slash];
    }
}
