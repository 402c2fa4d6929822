namespace ContainerTest.ContainerRuntime.Network;

/// <summary>What a job may reach over the network.</summary>
public abstract record NetworkPolicy
{
    /// <summary>
    /// Nothing outside the container: no interface but the container's own loopback, no route
    /// to the host, the local network or the internet, no DNS. The default.
    /// </summary>
    public static NetworkPolicy None { get; } = new NoNetworkPolicy();

    /// <summary>
    /// The job may talk to itself over 127.0.0.1 (a server it starts in-process, say) and to
    /// nothing else.
    /// </summary>
    public static NetworkPolicy Loopback { get; } = new LoopbackNetworkPolicy();

    /// <summary>Whatever the engine's default network reaches: the host, the LAN, the internet.</summary>
    public static NetworkPolicy Open { get; } = new OpenNetworkPolicy();

    /// <summary>Only the listed endpoints (host:port); every other address is unreachable.</summary>
    public static NetworkPolicy Allow(params NetworkEndpoint[] endpoints) => new AllowListNetworkPolicy(endpoints);

    /// <summary>Parses <c>none</c>, <c>loopback</c>, <c>open</c> or <c>allow:host:port,host:port…</c>.</summary>
    public static bool TryParse(string? text, out NetworkPolicy? policy, out string? error)
    {
        policy = null;
        error = null;
        var value = text?.Trim() ?? string.Empty;
        switch (value.ToLowerInvariant())
        {
            case "none":
                policy = None;
                return true;
            case "loopback":
                policy = Loopback;
                return true;
            case "open":
                policy = Open;
                return true;
        }

        const string AllowPrefix = "allow:";
        if (value.StartsWith(AllowPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var endpoints = new List<NetworkEndpoint>();
            foreach (var item in value[AllowPrefix.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!NetworkEndpoint.TryParse(item, out var endpoint))
                {
                    error = $"'{item}' is not a host:port endpoint (example: allow:db.local:5432,host.docker.internal:6379).";
                    return false;
                }

                endpoints.Add(endpoint!);
            }

            if (endpoints.Count == 0)
            {
                error = "'allow:' needs at least one host:port endpoint (example: allow:db.local:5432).";
                return false;
            }

            policy = new AllowListNetworkPolicy(endpoints);
            return true;
        }

        error = $"'{text}' is not a network policy; use none, loopback, open, or allow:host:port[,host:port…].";
        return false;
    }
}

/// <summary>See <see cref="NetworkPolicy.None"/>.</summary>
public sealed record NoNetworkPolicy : NetworkPolicy
{
    /// <inheritdoc />
    public override string ToString() => "none";
}

/// <summary>See <see cref="NetworkPolicy.Loopback"/>.</summary>
public sealed record LoopbackNetworkPolicy : NetworkPolicy
{
    /// <inheritdoc />
    public override string ToString() => "loopback";
}

/// <summary>See <see cref="NetworkPolicy.Open"/>.</summary>
public sealed record OpenNetworkPolicy : NetworkPolicy
{
    /// <inheritdoc />
    public override string ToString() => "open";
}

/// <summary>See <see cref="NetworkPolicy.Allow"/>.</summary>
public sealed record AllowListNetworkPolicy(IReadOnlyList<NetworkEndpoint> Endpoints) : NetworkPolicy
{
    /// <inheritdoc />
    public bool Equals(AllowListNetworkPolicy? other) => other is not null && Endpoints.SequenceEqual(other.Endpoints);

    /// <inheritdoc />
    public override int GetHashCode() => Endpoints.Aggregate(17, (hash, e) => HashCode.Combine(hash, e));

    /// <inheritdoc />
    public override string ToString() => "allow:" + string.Join(',', Endpoints);
}
