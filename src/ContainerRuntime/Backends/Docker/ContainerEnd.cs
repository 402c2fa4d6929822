namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Net;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>How a job's container ends: killed when it must stop now, removed on every path.</summary>
internal static class ContainerEnd
{
    /// <summary>How long removing a container may take before we give up on it (it keeps its labels for `clean`).</summary>
    private static readonly TimeSpan RemovalTimeout = TimeSpan.FromSeconds(30);

    public static async Task KillAsync(DockerClient client, string containerId)
    {
        try
        {
            await client.Containers.KillContainerAsync(containerId, new ContainerKillParameters { Signal = "KILL" }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // already stopped or gone
        }
    }

    /// <summary>
    /// Removes the container (nothing when it was never created); when this returns it no longer
    /// exists, unless the engine failed us. Its events are no longer watched either way.
    /// </summary>
    public static async Task RemoveAsync(DockerClient client, string? containerId, LiveContainers live, ContainerExitWatch exitWatch)
    {
        if (containerId is null)
        {
            return;
        }

        try
        {
            await RemoveFromEngineAsync(client, containerId, live).ConfigureAwait(false);
        }
        finally
        {
            exitWatch.Forget(containerId);
        }
    }

    private static async Task RemoveFromEngineAsync(DockerClient client, string containerId, LiveContainers live)
    {
        using var timeout = new CancellationTokenSource(RemovalTimeout);
        try
        {
            await client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, timeout.Token).ConfigureAwait(false);
            live.Remove(containerId);
        }
        catch (DockerContainerNotFoundException)
        {
            live.Remove(containerId);
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            // The engine is already removing it (it stopped, and auto-remove is on): wait until it is gone,
            // so that when the job's result is returned its container no longer exists.
            if (await WaitUntilGoneAsync(client, containerId, timeout.Token).ConfigureAwait(false))
            {
                live.Remove(containerId);
            }
        }
        catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
        {
            // Left for the backend's disposal and for `dotnet containertest clean`, which find it by its labels.
        }
    }

    private static async Task<bool> WaitUntilGoneAsync(DockerClient client, string id, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await client.Containers.InspectContainerAsync(id, cancellationToken).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DockerContainerNotFoundException)
        {
            return true;
        }
        catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
        {
            return false;
        }
    }
}
