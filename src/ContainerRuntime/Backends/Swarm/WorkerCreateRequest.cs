namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ContainerTest.ContainerRuntime.Backends.Docker;
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

    /// <summary>The request for <paramref name="spec"/> (its layers baked into its image), run <paramref name="runId"/>.</summary>
    public static JsonObject For(JobSpec spec, string jobId, string runId)
    {
        var network = spec.Network switch
        {
            NoNetworkPolicy or LoopbackNetworkPolicy => NetworkAttachment.Isolated,
            OpenNetworkPolicy => NetworkAttachment.DefaultBridge,
            _ => throw new InvalidOperationException($"No cluster network for {spec.Network}."),
        };
        var parameters = ContainerSpecTranslator.ToCreateParameters(spec with { Layers = [] }, NothingBaked, jobId, runId, network);
        return JsonSerializer.SerializeToNode(parameters, Options) as JsonObject ?? throw new InvalidOperationException("The create request did not serialize to an object.");
    }
}
