namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Backends.Docker.AllowList;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Network;

/// <summary>
/// The Engine API's create-container request for a worker on a node, made by the same translator
/// as a local worker's (labels, limits, seccomp profile, unmasked paths, user, tmpfs mounts,
/// network mode), as JSON the launcher posts unchanged. The job's layers are already in its image.
/// </summary>
internal static class WorkerCreateRequest
{
    private static readonly IReadOnlySet<string> NothingBaked = new HashSet<string>(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>
    /// The request for <paramref name="spec"/> (its layers baked into its image), run <paramref name="runId"/>;
    /// with the allow network policy, on <paramref name="allowListNetwork"/> (the launcher adds the
    /// gateways' /etc/hosts lines and DNS once it has made them). The engine's socket a job may have
    /// (<see cref="EngineSocketMount"/>) is not in it: it is the node's, which the launcher adds
    /// (<see cref="Relay.WorkerPlan.EngineSocketPaths"/>).
    /// </summary>
    public static JsonObject For(JobSpec spec, string jobId, string runId, string? allowListNetwork = null)
    {
        var network = spec.Network switch
        {
            NoNetworkPolicy or LoopbackNetworkPolicy => NetworkAttachment.Isolated,
            OpenNetworkPolicy => NetworkAttachment.DefaultBridge,
            AllowListNetworkPolicy when allowListNetwork is not null => new NetworkAttachment(allowListNetwork, []) { Sysctls = JobNetwork.NoIpv6 },
            _ => throw new InvalidOperationException($"No cluster network for {spec.Network}."),
        };
        var parameters = ContainerSpecTranslator.ToCreateParameters(spec with { Layers = [], Mounts = [.. spec.Mounts.Where(m => m is not EngineSocketMount)] }, NothingBaked, jobId, runId, network);
        return ToJson(parameters);
    }

    /// <summary>A create request (a container's, a network's) as the JSON the Engine API takes.</summary>
    public static JsonObject ToJson<T>(T parameters) =>
        JsonSerializer.SerializeToNode(parameters, Options) as JsonObject ?? throw new InvalidOperationException("The create request did not serialize to an object.");
}
