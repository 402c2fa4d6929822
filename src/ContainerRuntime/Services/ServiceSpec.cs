namespace ContainerTest.ContainerRuntime.Services;

using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// A service a run shares among its jobs (a database, a cache, a message broker): started once
/// before the first job, reachable from every job at <see cref="Name"/>:port for each of its
/// <see cref="Ports"/>, removed when the run ends.
/// </summary>
public sealed record ServiceSpec
{
    /// <summary>The host name jobs reach it by: a DNS label (lower-case letters, digits, '-').</summary>
    public required string Name { get; init; }

    /// <summary>The image it runs (an OCI reference or a local image).</summary>
    public required string Image { get; init; }

    /// <summary>The TCP ports jobs may reach it on (its own ports, reached at the same numbers).</summary>
    public IReadOnlyList<int> Ports { get; init; } = [];

    /// <summary>Environment variables, added to the image's own.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The argv to run; empty keeps the image's own command.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>When it counts as ready: null means a TCP connection to its first port succeeds (or at once, without ports).</summary>
    public ServiceReadiness? Readiness { get; init; }

    /// <summary>How long it may take to become ready.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The endpoints a job's network policy must allow to reach it.</summary>
    public IEnumerable<NetworkEndpoint> Endpoints => Ports.Select(p => new NetworkEndpoint(Name, p));

    /// <summary>Whether <paramref name="name"/> can be a service's host name; if not, why.</summary>
    public static bool IsValidName(string? name, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(name) || name.Length > 63 || name[0] == '-' || name[^1] == '-'
            || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            error = $"'{name}' is not a service name: jobs reach a service by its name, so it must be a host name of lower-case letters, digits and '-' (at most 63, not starting or ending with '-'), such as db or redis-cache.";
            return false;
        }

        if (name is "localhost")
        {
            error = "'localhost' cannot name a service: inside a job it means the job itself.";
            return false;
        }

        return true;
    }
}
