namespace ContainerTest.Agent;

using System.Reflection;
using ContainerTest.Protocol;

/// <summary>
/// The trackers coverlet injected into the modules it instrumented (a static class per module in
/// namespace <c>Coverlet.Core.Instrumentation.Tracker</c>, named after the assembly, holding
/// <c>HitsFilePath</c> and the <c>HitsArray</c> of counts — what coverlet.collector's in-process
/// collector looks for, too). After the test ran, the agent takes their counts to send home and
/// unhooks their process-exit flush, which would only write into the container's own /tmp.
/// </summary>
internal static class CoverletTrackers
{
    private const BindingFlags Statics = BindingFlags.Public | BindingFlags.Static;

    /// <summary>The counts of every instrumented module loaded in this process that recorded a hit; none without coverlet.</summary>
    public static IReadOnlyList<CoverletHits> Take()
    {
        var taken = new List<CoverletHits>();
        foreach (var (assembly, types) in InstrumentableAssemblies.WithTypes())
        {
            var prefix = assembly.GetName().Name + "_";
            if (Array.Find(types, t => t.Namespace == CoverletHits.TrackerNamespace && t.Name.StartsWith(prefix, StringComparison.Ordinal)) is { } tracker && Take(tracker) is { } hits)
            {
                taken.Add(hits);
            }
        }

        return taken;
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
