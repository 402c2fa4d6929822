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
        "filter", "filter-uid", "treenode-filter",
    };

    /// <summary>Option prefixes the host's run alone takes: reports, diagnostics, dumps, coverage, retries, the platform's internals, and every filter.</summary>
    private static readonly string[] HostOnlyPrefixes = ["report-", "diagnostic", "hangdump", "crashdump", "coverage", "retry-", "internal-", "filter-"];

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

        // The framework adds the details a TRX report shows (messages, exceptions) only when a report is asked for.
        if (arguments.Any(a => string.Equals(OptionName(a), "report-trx", StringComparison.OrdinalIgnoreCase)))
        {
            kept.Add("--report-trx");
        }

        return [.. kept];
    }

    private static string? OptionName(string argument) =>
        argument.StartsWith("--", StringComparison.Ordinal) ? argument[2..].Split('=', ':')[0]
        : argument.Length > 1 && argument[0] == '-' && !char.IsDigit(argument[1]) ? argument[1..].Split('=', ':')[0]
        : null;
}
