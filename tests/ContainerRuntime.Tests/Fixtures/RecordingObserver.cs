namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using System.Collections.Concurrent;
using System.Text;
using ContainerTest.ContainerRuntime.Jobs;

/// <summary>Remembers what a job reported while it ran, and when.</summary>
internal sealed class RecordingObserver : IJobObserver
{
    public ConcurrentQueue<(OutputChannel Channel, string Text, DateTimeOffset At)> Chunks { get; } = new();

    public string? InstanceId { get; private set; }

    public Action<string>? Started { get; init; }

    public void OnStarted(string jobId, string instanceId)
    {
        InstanceId = instanceId;
        Started?.Invoke(instanceId);
    }

    public void OnOutput(string jobId, OutputChannel channel, ReadOnlySpan<byte> chunk) =>
        Chunks.Enqueue((channel, Encoding.UTF8.GetString(chunk), DateTimeOffset.UtcNow));
}
