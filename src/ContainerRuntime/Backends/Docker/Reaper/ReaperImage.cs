namespace ContainerTest.ContainerRuntime.Backends.Docker.Reaper;

using ContainerTest.ContainerRuntime.Backends.Docker.HostImage;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// The image a run's reaper runs on: any host image the engine already has (each holds a .NET
/// runtime of 8 or newer, on which the reaper rolls forward), so that the reaper can start while
/// this run still works out which host image it needs itself; else null, and the run's own host
/// image is made first.
/// </summary>
internal static class ReaperImage
{
    /// <summary>The tag of the newest host image on the engine, or null when it has none.</summary>
    public static async Task<string?> FindAsync(IDockerClient client, CancellationToken cancellationToken)
    {
        var images = await client.Images.ListImagesAsync(
            new ImagesListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Kind}={HostImageComposer.KindLabelValue}"] = true },
                },
            },
            cancellationToken).ConfigureAwait(false);
        return images
            .OrderByDescending(i => i.Created)
            .SelectMany(i => i.RepoTags ?? [])
            .FirstOrDefault(tag => tag.StartsWith(HostImageBuilder.Repository + ":", StringComparison.Ordinal));
    }
}
