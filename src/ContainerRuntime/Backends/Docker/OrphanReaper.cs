namespace ContainerTest.ContainerRuntime.Backends.Docker;

using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Removes containers of ours whose creating process is gone (killed before it could clean up:
/// SIGKILL, a crashed test host). Only containers created on this machine are judged, since a
/// process id means nothing elsewhere. A run's reaper carries no process id: it removes its run's
/// resources and then itself, however its run ended; only one its run never started (it died
/// between creating and starting it) is removed here.
/// </summary>
internal static class OrphanReaper
{
    public static async Task<int> RemoveOrphansAsync(IDockerClient client, CancellationToken cancellationToken)
    {
        var containers = await client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool>
                    {
                        [$"{ContainerLabels.Managed}=true"] = true,
                        [$"{ContainerLabels.OwnerHost}={Environment.MachineName}"] = true,
                    },
                },
            },
            cancellationToken).ConfigureAwait(false);

        var removed = 0;
        foreach (var container in containers)
        {
            var stranded = IsStrandedReaper(container);
            if (stranded
                || OwnerProcess.HasEnded(container.Labels))
            {
                try
                {
                    // A stranded reaper is not forced: should its run have started it meanwhile, it stays.
                    await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = !stranded, RemoveVolumes = true }, cancellationToken).ConfigureAwait(false);
                    removed++;
                }
                catch (DockerApiException)
                {
                    // Someone else removed it first.
                }
            }
        }

        return removed;
    }

    private static bool IsStrandedReaper(ContainerListResponse container) =>
        container.Labels.TryGetValue(ContainerLabels.Kind, out var kind)
        && kind == Reaper.ReaperProtocol.KindLabelValue
        && container.State == "created"
        && container.Created.ToUniversalTime() < DateTime.UtcNow - Reaper.ReaperProtocol.StrandedAfter;
}
