namespace ContainerTest.ContainerRuntime.Services;

using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// A run's shared services, started and ready. Jobs reach them by name at the endpoints here when
/// their network policy allows them (an allow-list naming them; an open network reaches them too).
/// Disposing removes them; so does disposing the runtime, and a reaper finds any a killed run
/// left (they carry the run's labels, kind <c>service</c>).
/// </summary>
public interface IRunServices : IAsyncDisposable
{
    /// <summary>Every service's name:port endpoints.</summary>
    IReadOnlyList<NetworkEndpoint> Endpoints { get; }

    /// <summary>The services' names.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>What service <paramref name="name"/> has written so far (stdout and stderr, interleaved as the engine kept them).</summary>
    Task<string> LogsAsync(string name, CancellationToken cancellationToken = default);
}
