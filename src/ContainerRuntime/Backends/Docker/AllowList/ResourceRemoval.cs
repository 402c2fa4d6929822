namespace ContainerTest.ContainerRuntime.Backends.Docker.AllowList;

using System.Net;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>Best-effort removal of gateway containers and networks: what cannot be removed keeps its labels for `dotnet containertest clean`.</summary>
internal static class ResourceRemoval
{
    /// <summary>How long one removal may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Force-removes a container; true when it is gone.</summary>
    public static async Task<bool> RemoveContainerAsync(IDockerClient client, string id, CreatedResources resources)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, timeout.Token).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
        {
            return false;
        }

        resources.RemoveContainer(id);
        return true;
    }

    /// <summary>Removes a network (its containers must be gone first); true when it is gone.</summary>
    public static async Task<bool> RemoveNetworkAsync(IDockerClient client, string id, CreatedResources resources)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await client.Networks.DeleteNetworkAsync(id, timeout.Token).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
        }
        catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
        {
            return false;
        }

        resources.RemoveNetwork(id);
        return true;
    }
}
