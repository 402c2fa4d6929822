namespace ContainerTest.Agent;

using System.Reflection;
using ContainerTest.Protocol;

/// <summary>
/// The trackers coverlet injected into the modules it instrumented (a static class per module in
/// namespace <c>Coverlet.Core.Instrumentation.Tracker</c>, named after the assembly, holding
/// <c>HitsFilePath</c> and the <c>HitsArray</c> of counts — what coverlet.collector's in-process
/// collector looks for, too). After the test ran, the agent takes their counts to send home and
/// unhooks their process-exit flush, which would only write into the container's own /tmp. A module
/// instrumented twice (a stale instrumentation left on disk, then a new one) carries a tracker per
/// instrumentation: each is taken. Processes the test started flush their trackers when they exit,
/// into the job's own temp folder, where nothing else of the host's run is: the hits files found
/// there are taken too, and removed so that they count once. (The host adds a hits file's counts
/// only for a module of the test's output folder.)
/// </summary>
internal static class CoverletTrackers
{
    private const BindingFlags Statics = BindingFlags.Public | BindingFlags.Static;

    /// <summary>
    /// The counts of every instrumented module loaded in this process that recorded a hit; none
    /// without coverlet. <paramref name="assemblies"/> is <see cref="InstrumentableAssemblies.WithTypes"/>,
    /// taken once for every collector.
    /// </summary>
    public static IReadOnlyList<CoverletHits> Take(IReadOnlyList<(Assembly Assembly, Type[] Types)> assemblies)
    {
        var taken = new List<CoverletHits>();
        foreach (var (assembly, types) in assemblies)
        {
            var prefix = assembly.GetName().Name + "_";
            foreach (var tracker in types.Where(t => t.Namespace == CoverletHits.TrackerNamespace && t.Name.StartsWith(prefix, StringComparison.Ordinal)))
            {
                if (Take(tracker) is { } hits)
                {
                    taken.Add(hits);
                }
            }
        }

        taken.AddRange(WrittenByOtherProcesses(taken));
        return taken;
    }

    /// <summary>The hits files other processes of the job wrote into its temp folder (or beside those of <paramref name="taken"/>), each read and removed.</summary>
    private static List<CoverletHits> WrittenByOtherProcesses(List<CoverletHits> taken)
    {
        var singleHit = taken.Where(h => h.SingleHit).Select(h => h.HitsFilePath).ToHashSet(StringComparer.Ordinal);
        var folders = taken.Select(h => Path.GetDirectoryName(h.HitsFilePath)!).Append(Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar));
        var found = new List<CoverletHits>();
        foreach (var folder in folders.Distinct(StringComparer.Ordinal))
        {
            string[] files;
            try
            {
                files = Directory.GetFiles(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var file in files.Where(f => CoverletHits.IsHitsFileName(Path.GetFileName(f))))
            {
                try
                {
                    var hits = CoverletHits.ReadHitsFile(file);
                    File.Delete(file);
                    if (Array.Exists(hits, h => h != 0))
                    {
                        found.Add(new CoverletHits(file, singleHit.Contains(file), hits));
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
                {
                    // Not a hits file after all, or one still being written: left alone.
                }
            }
        }

        return found;
    }

    private static CoverletHits? Take(Type tracker)
    {
        if (tracker.GetField("HitsFilePath", Statics)?.GetValue(null) is not string path
            || tracker.GetField("HitsArray", Statics) is not { } hitsField
            || hitsField.GetValue(null) is not int[] hits)
        {
            return null;
        }

        hitsField.SetValue(null, new int[hits.Length]);
        tracker.GetField("FlushHitFile", Statics)?.SetValue(null, false);
        if (tracker.GetMethod("UnloadModule", Statics, [typeof(object), typeof(EventArgs)]) is { } unload)
        {
            var handler = (EventHandler)Delegate.CreateDelegate(typeof(EventHandler), unload);
            AppDomain.CurrentDomain.ProcessExit -= handler;
            AppDomain.CurrentDomain.DomainUnload -= handler;
        }

        var singleHit = tracker.GetField("SingleHit", Statics)?.GetValue(null) is true;
        return Array.Exists(hits, h => h != 0) ? new CoverletHits(path, singleHit, hits) : null;
    }
}
