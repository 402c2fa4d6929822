namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using System.Diagnostics;
using System.Globalization;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Removal of a run's services and secrets from a Swarm: all of one run (at its end), or those of
/// runs on this machine whose process is gone (killed before its end, and before its guard could —
/// a manager restarted, say). Services go first: a secret still in use cannot be removed.
/// </summary>
internal static class SwarmLeftovers
{
    /// <summary>Removes every service and secret labelled with <paramref name="runId"/>; returns how many.</summary>
    public static Task<int> RemoveRunAsync(DockerClient client, string runId) =>
        RemoveAsync(client, labels => labels.TryGetValue(ContainerLabels.RunId, out var run) && run == runId);

    /// <summary>Removes the services and secrets of runs of this machine whose process has ended; returns how many.</summary>
    public static Task<int> RemoveOrphansAsync(DockerClient client) =>
        RemoveAsync(client, labels =>
            labels.TryGetValue(ContainerLabels.OwnerHost, out var host) && host == Environment.MachineName
            && labels.TryGetValue(ContainerLabels.OwnerProcessId, out var pidText)
            && int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && !IsAlive(pid));

    private static async Task<int> RemoveAsync(DockerClient client, Func<IDictionary<string, string>, bool> ours)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var removed = 0;
        try
        {
            var services = await client.Swarm.ListServicesAsync(
                new ServiceListParameters { Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Managed}=true"] = true } } },
                limit.Token).ConfigureAwait(false);
            foreach (var service in services.Where(s => s.Spec?.Labels is { } labels && ours(labels)))
            {
                if (await TryAsync(() => client.Swarm.RemoveServiceAsync(service.ID, limit.Token)).ConfigureAwait(false))
                {
                    removed++;
                }
            }

            var secrets = await client.Secrets.ListAsync(limit.Token).ConfigureAwait(false);
            foreach (var secret in secrets.Where(s => s.Spec?.Labels is { } labels && labels.TryGetValue(ContainerLabels.Managed, out var managed) && managed == "true" && ours(labels)))
            {
                if (await TryAsync(() => client.Secrets.DeleteAsync(secret.ID, limit.Token)).ConfigureAwait(false))
                {
                    removed++;
                }
            }
        }
        catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
        {
            // Not a manager any more, or failing: what is left keeps its labels for a later sweep.
        }

        return removed;
    }

    private static async Task<bool> TryAsync(Func<Task> remove)
    {
        try
        {
            await remove().ConfigureAwait(false);
            return true;
        }
        catch (DockerApiException)
        {
            return false; // removed meanwhile, or (a secret) still in use by a service being removed
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
