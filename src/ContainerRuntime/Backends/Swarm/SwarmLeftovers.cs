namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using ContainerTest.ContainerRuntime.Backends.Docker;
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
    public static Task<int> RemoveOrphansAsync(DockerClient client) => RemoveAsync(client, OwnerProcess.HasEnded);

    /// <summary>
    /// Every service and secret carrying <see cref="ContainerLabels.Managed"/> on the Swarm whose
    /// manager <paramref name="client"/> reaches (<c>dotnet containertest clean</c>); none when
    /// that engine is not a Swarm manager.
    /// </summary>
    public static async Task<IReadOnlyList<Leftover>> FindAsync(IDockerClient client, CancellationToken cancellationToken = default)
    {
        var items = new List<Leftover>();
        IEnumerable<SwarmService> services;
        try
        {
            services = await client.Swarm.ListServicesAsync(new ServiceListParameters { Filters = Managed }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            return items; // not a manager (or no swarm): nothing of a cluster to find here
        }

        foreach (var service in services)
        {
            var labels = service.Spec?.Labels;
            items.Add(new Leftover(LeftoverKind.Service, service.ID, service.Spec?.Name ?? "?", DockerLeftovers.Describe(labels), OwnerProcess.IsAlive(labels)));
        }

        foreach (var secret in await client.Secrets.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            var labels = secret.Spec?.Labels;
            if (labels is not null && labels.TryGetValue(ContainerLabels.Managed, out var managed) && managed == "true")
            {
                items.Add(new Leftover(LeftoverKind.Secret, secret.ID, secret.Spec?.Name ?? "?", DockerLeftovers.Describe(labels), OwnerProcess.IsAlive(labels)));
            }
        }

        return items;
    }

    /// <summary>
    /// Removes the services, then the secrets, of <paramref name="items"/> whose owner is not a live
    /// process on this machine; returns those removed. A secret stays in use until its service's
    /// tasks are gone: its removal is retried for up to 20 s.
    /// </summary>
    public static async Task<IReadOnlyList<Leftover>> RemoveAsync(IDockerClient client, IEnumerable<Leftover> items, CancellationToken cancellationToken = default)
    {
        var removed = new List<Leftover>();
        var chosen = items.Where(i => !i.OwnerAlive).ToList();
        foreach (var service in chosen.Where(i => i.Kind == LeftoverKind.Service))
        {
            if (await TryAsync(() => client.Swarm.RemoveServiceAsync(service.Id, cancellationToken)).ConfigureAwait(false))
            {
                removed.Add(service);
            }
        }

        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        var secrets = chosen.Where(i => i.Kind == LeftoverKind.Secret).ToList();
        while (secrets.Count > 0)
        {
            foreach (var secret in secrets.ToList())
            {
                if (await TryAsync(() => client.Secrets.DeleteAsync(secret.Id, cancellationToken)).ConfigureAwait(false))
                {
                    removed.Add(secret);
                    secrets.Remove(secret);
                }
            }

            if (secrets.Count == 0 || DateTimeOffset.UtcNow > until)
            {
                break;
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }

    private static async Task<int> RemoveAsync(DockerClient client, Func<IDictionary<string, string>, bool> ours)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var removed = 0;
        try
        {
            var services = await client.Swarm.ListServicesAsync(
                new ServiceListParameters { Filters = Managed },
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

    private static Dictionary<string, IDictionary<string, bool>> Managed =>
        new() { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Managed}=true"] = true } };
}
