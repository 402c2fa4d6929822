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

    /// <summary>
    /// Removes a network; true when it is gone. A container still attached (one being removed at the
    /// same moment: the engine refuses with 403 "has active endpoints") is disconnected by force and
    /// the removal tried again, so the network never outlives the run for that.
    /// </summary>
    public static async Task<bool> RemoveNetworkAsync(IDockerClient client, string id, CreatedResources resources)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.Networks.DeleteNetworkAsync(id, timeout.Token).ConfigureAwait(false);
                break;
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                break;
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Forbidden && attempt < 3)
            {
                if (!await DisconnectAllAsync(client, id, timeout.Token).ConfigureAwait(false))
                {
                    return false;
                }
            }
            catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
            {
                return false;
            }
        }

        resources.RemoveNetwork(id);
        return true;
    }

    private static async Task<bool> DisconnectAllAsync(IDockerClient client, string id, CancellationToken cancellationToken)
    {
        try
        {
            var network = await client.Networks.InspectNetworkAsync(id, cancellationToken).ConfigureAwait(false);
            foreach (var container in (network.Containers ?? new Dictionary<string, EndpointResource>()).Keys)
            {
                try
                {
                    await client.Networks.DisconnectNetworkAsync(id, new NetworkDisconnectParameters { Container = container, Force = true }, cancellationToken).ConfigureAwait(false);
                }
                catch (DockerApiException)
                {
                    // Gone meanwhile, or already disconnected: the next removal attempt tells.
                }
            }

            return true;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
        catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
        {
            return false;
        }
    }
}
