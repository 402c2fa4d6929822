namespace ContainerTest.TestingPlatform;

/// <summary>
/// The command line a test application runs with in each sandbox or container: the one it was
/// started with on the host, less what belongs to the host's run — how it talks to <c>dotnet test</c>
/// or an IDE, where reports and diagnostics go, which tests run (the job is handed its one test),
/// the run's own limits — so that the framework's settings (run settings, configuration, xUnit's
/// options…) are the same in every test's job as in the host.
/// </summary>
internal static class JobArguments
{
    /// <summary>Options (without dashes) that the host's run alone takes, each with whatever values follow it.</summary>
    private static readonly HashSet<string> HostOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        "server", "client-host", "client-port", "dotnet-test-pipe",
        "results-directory", "list-tests", "minimum-expected-tests", "exit-on-process-exit", "ignore-exit-code",
        "timeout", "maximum-failed-tests", "no-progress", "progress", "output", "ansi", "no-ansi", "no-banner",
        "info", "help", "?", "h", "debug",
        "filter-uid", "treenode-filter",
    };

    /// <summary>
    /// Option prefixes the host's run alone takes: reports, diagnostics, dumps, coverage (Microsoft's
    /// and coverlet.MTP's, whose controller instruments once, on the host, and collects the jobs'
    /// counts there), retries, the
    /// platform's internals, and xUnit's filters (which its discovery applies on the host). A
    /// vstest-style <c>--filter</c> stays: the VSTest bridge's frameworks (NUnit) apply it only as they
    /// run, so the job's framework decides whether its test is selected (see <see cref="HasFrameworkFilter"/>).
    /// </summary>
    private static readonly string[] HostOnlyPrefixes = ["report-", "diagnostic", "hangdump", "crashdump", "coverage", "coverlet", "retry-", "internal-", "filter-"];

    /// <summary>Where a job's own reports go: its /tmp, gone with it.</summary>
    public const string JobResultsDirectory = "/tmp/.containertest-results";

    /// <summary>The job's arguments for an application started with <paramref name="arguments"/>.</summary>
    public static string[] For(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var kept = new List<string>();
        var dropping = false;
        foreach (var argument in arguments)
        {
            if (OptionName(argument) is { } name)
            {
                dropping = HostOnly.Contains(name) || HostOnlyPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));
            }

            if (!dropping)
            {
                kept.Add(argument);
            }
        }

        // The framework adds the details a TRX report shows (messages, exceptions) only when a report
        // is asked for. The job's own report is thrown away with its sandbox: it goes to the job's
        // /tmp, which the test's user can write (the output folder's own TestResults may not be).
        if (arguments.Any(a => string.Equals(OptionName(a), "report-trx", StringComparison.OrdinalIgnoreCase)))
        {
            kept.AddRange(["--report-trx", "--results-directory", JobResultsDirectory]);
        }

        return [.. kept];
    }

    /// <summary>True when <paramref name="arguments"/> hold a vstest-style <c>--filter</c>.</summary>
    public static bool HasFrameworkFilter(IReadOnlyList<string> arguments) =>
        arguments.Any(a => string.Equals(OptionName(a), "filter", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The arguments of a discovery run on the host: the job's, with the run's filters kept (the
    /// framework's discovery applies those it can), less the selection by uid, which the host makes.
    /// </summary>
    public static string[] ForDiscovery(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var kept = new List<string>();
        var dropping = false;
        foreach (var argument in arguments)
        {
            if (OptionName(argument) is { } name)
            {
                dropping = !IsFilter(name) && (HostOnly.Contains(name) || HostOnlyPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)));
            }

            if (!dropping)
            {
                kept.Add(argument);
            }
        }

        return [.. kept];
    }

    private static bool IsFilter(string name) =>
        !string.Equals(name, "filter-uid", StringComparison.OrdinalIgnoreCase)
        && (string.Equals(name, "treenode-filter", StringComparison.OrdinalIgnoreCase) || name.StartsWith("filter", StringComparison.OrdinalIgnoreCase));

    private static string? OptionName(string argument) =>
        argument.StartsWith("--", StringComparison.Ordinal) ? argument[2..].Split('=', ':')[0]
        : argument.Length > 1 && argument[0] == '-' && !char.IsDigit(argument[1]) ? argument[1..].Split('=', ':')[0]
        : null;
}
