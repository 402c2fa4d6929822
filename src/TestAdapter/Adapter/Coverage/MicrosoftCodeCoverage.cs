namespace ContainerTest.TestAdapter.Coverage;

using System.Collections.Frozen;
using ContainerTest.Protocol;

/// <summary>
/// Microsoft's code coverage collector (Microsoft.CodeCoverage, <c>--collect "Code Coverage"</c>) in
/// a run whose tests run in jobs. Before the test host starts, the collector statically instruments
/// the modules of the test's output folder and creates one probe buffer per module in this
/// machine's temp folder (see <see cref="MicrosoftCoverageBuffer"/>); it tells the test host where,
/// through <c>CODE_COVERAGE_DATA_PREFIX</c>. Every job gets zeroed buffers at the same paths, and
/// the probes each test marked are set in the collector's own buffers here (<see cref="Merge"/>),
/// so that the collector's report, whatever its format, covers what the tests ran as natively.
/// What the collector's profiler instruments while the test host runs (modules loaded from outside
/// the output folder) is not measured in jobs.
/// </summary>
internal sealed class MicrosoftCodeCoverage
{
    /// <summary>The variable the collector gives the test host: its temp folder and session, the buffers' common prefix.</summary>
    public const string DataPrefixVariable = "CODE_COVERAGE_DATA_PREFIX";

    /// <summary>The variable that names the collector's session, which the collector gives the test host whatever its settings.</summary>
    public const string SessionNameVariable = "CODE_COVERAGE_SESSION_NAME";

    private static readonly RunSettingsDataCollector Collector = new("Code Coverage", "datacollector://Microsoft/CodeCoverage/2.0");

    private readonly FrozenDictionary<string, MicrosoftCoverageBuffer> buffers;
    private readonly bool staticInstrumentationOff;
    private int errorReported;

    private MicrosoftCodeCoverage(IReadOnlyList<MicrosoftCoverageBuffer> buffers, bool staticInstrumentationOff)
    {
        Buffers = buffers;
        this.staticInstrumentationOff = staticInstrumentationOff;
        this.buffers = buffers.ToFrozenDictionary(b => b.Path, StringComparer.Ordinal);
    }

    /// <summary>The collector's probe buffers, which every job gets.</summary>
    public IReadOnlyList<MicrosoftCoverageBuffer> Buffers { get; }

    /// <summary>
    /// What the run says up front: when the collector is on but instruments nothing statically (its
    /// settings turn that off, or it made no buffer), so that nothing the tests run in their jobs
    /// can reach its report (with static instrumentation off, the collector's profiler makes a
    /// buffer for each module the test host loads, which no job can mark). Empty when there is
    /// nothing to say. Nothing of ContainerTest's needs excluding in the user's settings: everything
    /// it puts in the output folder, its own assemblies and its private dependencies, comes without
    /// symbols, which the collector needs to instrument a module.
    /// </summary>
    public IEnumerable<string> Warnings
    {
        get
        {
            if (Buffers.Count == 0 || staticInstrumentationOff)
            {
                yield return "ContainerTest: Microsoft's code coverage collector (the \"Code Coverage\" data collector) instrumented no module of the test's output folder, so its report cannot cover the code the tests ran in containers: "
                    + "only its static instrumentation reaches them (it is on unless the run settings set EnableStaticManagedInstrumentation to False). "
                    + "Turn it back on, use coverlet.collector (--collect \"XPlat Code Coverage\"), or run natively for this collector (CONTAINERTEST=0).";
            }
        }
    }

    /// <summary>
    /// The buffers' common prefix in this test host: <see cref="DataPrefixVariable"/>, which the
    /// collector sets along with its profiler; without the profiler (its settings turn dynamic
    /// instrumentation off) only <see cref="SessionNameVariable"/> is set, and the statically
    /// instrumented modules still name <c>&lt;temp folder&gt;/CodeCoverage.&lt;session&gt;.b&lt;guid&gt;</c>
    /// (Microsoft.CodeCoverage 18.11, observed natively, with and without TMPDIR). Null when neither is set.
    /// </summary>
    public static string? DataPrefix(Func<string, string?> variable)
    {
        if (variable(DataPrefixVariable) is { Length: > 0 } prefix)
        {
            return prefix;
        }

        var session = variable(SessionNameVariable);
        return string.IsNullOrEmpty(session) || session.IndexOfAny(['/', '\\']) >= 0 || session.Contains("..", StringComparison.Ordinal)
            ? null
            : Path.Combine(Path.GetTempPath(), "CodeCoverage." + session + ".");
    }

    /// <summary>
    /// The collector's session; null when the run settings do not enable the collector. Its buffers
    /// are the files named <paramref name="dataPrefix"/><c>b*</c> (none without a prefix: the
    /// collector did not start). The prefix is <see cref="DataPrefix"/> of this test host's
    /// environment, for example <c>/tmp/CodeCoverage.&lt;session&gt;.</c>.
    /// </summary>
    public static MicrosoftCodeCoverage? Find(string? runSettingsXml, string? dataPrefix)
    {
        if (!Collector.IsEnabledIn(runSettingsXml))
        {
            return null;
        }

        var prefix = dataPrefix;
        var buffers = new List<MicrosoftCoverageBuffer>();
        if (!string.IsNullOrEmpty(prefix) && Path.IsPathFullyQualified(prefix) && Path.GetDirectoryName(prefix) is { } directory && Directory.Exists(directory))
        {
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles(Path.GetFileName(prefix) + "b*"))
            {
                if (file.LinkTarget is null && file.Length is > 0 and <= int.MaxValue)
                {
                    buffers.Add(new MicrosoftCoverageBuffer(file.FullName, (int)file.Length));
                }
            }
        }

        var codeCoverage = Collector.ConfigurationIn(runSettingsXml)?.Element("CodeCoverage");
        var staticInstrumentation = (string?)codeCoverage?.Element("EnableStaticManagedInstrumentation");
        return new MicrosoftCodeCoverage(buffers, string.Equals(staticInstrumentation?.Trim(), "false", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Sets the probes a job marked in the collector's buffer. The message comes from inside the job,
    /// so only a buffer this session handed out is written, only within its length. Returns the
    /// warning to show, at most once a run, when the job could not record or sent what is no buffer of the session.
    /// </summary>
    public string? Merge(MicrosoftCoverageProbes probes)
    {
        ArgumentNullException.ThrowIfNull(probes);
        if (probes.Error is not null)
        {
            return Once($"ContainerTest: the tests' jobs could not record what Microsoft's Code Coverage collector measures, so its report misses what they ran: {probes.Error}");
        }

        if (!buffers.TryGetValue(probes.BufferPath, out var buffer) || probes.Probes.Any(p => p < 0 || p >= buffer.Length))
        {
            return Once($"ContainerTest: a job sent coverage for '{probes.BufferPath}', which is no probe buffer of this run's Code Coverage session; it was left out.");
        }

        lock (buffer)
        {
            using var file = File.OpenHandle(buffer.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            var start = 0;
            while (start < probes.Probes.Length)
            {
                // A run of consecutive probes is one write of ones.
                var end = start + 1;
                while (end < probes.Probes.Length && probes.Probes[end] == probes.Probes[end - 1] + 1)
                {
                    end++;
                }

                var ones = new byte[end - start];
                Array.Fill(ones, (byte)1);
                RandomAccess.Write(file, ones, probes.Probes[start]);
                start = end;
            }
        }

        return null;
    }

    private string? Once(string warning) => Interlocked.Exchange(ref errorReported, 1) == 0 ? warning : null;
}
