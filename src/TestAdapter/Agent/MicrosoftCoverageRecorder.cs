namespace ContainerTest.Agent;

using System.Reflection;
using ContainerTest.Protocol;

/// <summary>
/// The agent's side of Microsoft's code coverage collector (see <see cref="MicrosoftCoverageBuffer"/>):
/// before the test runs, a zeroed buffer file at each path the collector's static instrumentation
/// baked into the modules, which the instrumented code then maps and marks, in the agent and in any
/// process the test starts; after it, the probes marked. On Linux the instrumented code marks a
/// private copy and a thread copies it to the mapped file every 10 ms and at process exit
/// (Microsoft.CodeCoverage 18.11's StaticManagedTrackerTemplate), so the agent has each module's
/// tracker flush before it reads the files.
/// </summary>
internal sealed class MicrosoftCoverageRecorder
{
    private const string TrackerNamespace = "Microsoft.CodeCoverage.Instrumentation.Static.Tracker";

    private readonly IReadOnlyList<MicrosoftCoverageBuffer> buffers;
    private readonly string? error;

    private MicrosoftCoverageRecorder(IReadOnlyList<MicrosoftCoverageBuffer> buffers, string? error)
    {
        this.buffers = buffers;
        this.error = error;
    }

    /// <summary>Creates the buffer files, before any instrumented code can run; records why when it cannot.</summary>
    public static MicrosoftCoverageRecorder Start(IReadOnlyList<MicrosoftCoverageBuffer> buffers)
    {
        try
        {
            foreach (var buffer in buffers)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(buffer.Path)!);
                using var file = new FileStream(buffer.Path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
                file.SetLength(buffer.Length);
            }

            return new MicrosoftCoverageRecorder(buffers, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return new MicrosoftCoverageRecorder(buffers, ex.Message);
        }
    }

    /// <summary>
    /// The probes the test marked, a message per buffer with any; or one message saying why they
    /// could not be recorded. <paramref name="assemblies"/> is <see cref="InstrumentableAssemblies.WithTypes"/>,
    /// taken once for every collector: the trackers to flush are found among their types.
    /// </summary>
    public IReadOnlyList<MicrosoftCoverageProbes> Take(IReadOnlyList<(Assembly Assembly, Type[] Types)> assemblies)
    {
        if (error is not null)
        {
            return [new MicrosoftCoverageProbes(buffers[0].Path, [], error)];
        }

        FlushTrackers(assemblies);
        var taken = new List<MicrosoftCoverageProbes>();
        foreach (var buffer in buffers)
        {
            byte[] content;
            try
            {
                content = File.ReadAllBytes(buffer.Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return [new MicrosoftCoverageProbes(buffer.Path, [], ex.Message)];
            }

            var probes = new List<int>();
            for (var i = 0; i < Math.Min(content.Length, buffer.Length); i++)
            {
                if (content[i] != 0)
                {
                    probes.Add(i);
                }
            }

            if (probes.Count > 0)
            {
                taken.Add(new MicrosoftCoverageProbes(buffer.Path, [.. probes]));
            }
        }

        return taken;
    }

    /// <summary>Calls the public static <c>Flush()</c> of every tracker the collector put into a module of this process (namespace <see cref="TrackerNamespace"/>).</summary>
    private static void FlushTrackers(IReadOnlyList<(Assembly Assembly, Type[] Types)> assemblies)
    {
        foreach (var (_, types) in assemblies)
        {
            foreach (var type in types)
            {
                if (type.Namespace == TrackerNamespace && type.GetMethod("Flush", BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes) is { } flush)
                {
                    flush.Invoke(null, null);
                }
            }
        }
    }
}
