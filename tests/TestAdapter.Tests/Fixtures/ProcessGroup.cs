namespace ContainerTest.TestAdapter.Tests.Fixtures;

using System.Diagnostics;
using System.Globalization;

/// <summary>
/// A command run in a process group (and session) of its own, like a terminal's foreground job:
/// a signal to the group reaches the command and every process it started (for <c>dotnet test</c>:
/// the CLI, vstest.console and the test host) and nothing else. Remembers every process it ever
/// saw in the group, so what those processes made can be found after they are dead.
/// </summary>
internal sealed class ProcessGroup : IDisposable
{
    private static readonly string[] DefaultInterrupt = ["env", "--default-signal=INT"];
    private readonly Process leader;
    private readonly HashSet<int> members = [];
    private readonly List<string> lines = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Task watching;
    private readonly Task pumping;
    private Action<string>? onLine;

    private ProcessGroup(Process leader)
    {
        this.leader = leader;
        Started = DateTimeOffset.UtcNow;
        watching = WatchMembersAsync(stop.Token);
        pumping = Task.WhenAll(PumpAsync(leader.StandardOutput), PumpAsync(leader.StandardError));
    }

    /// <summary>The group's id (its leader's pid).</summary>
    public int Id => leader.Id;

    /// <summary>When the command started.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>Whether the leader still runs.</summary>
    public bool HasExited => leader.HasExited;

    /// <summary>Everything it printed so far.</summary>
    public string Output
    {
        get
        {
            lock (lines)
            {
                return string.Join('\n', lines);
            }
        }
    }

    /// <summary>Starts <paramref name="arguments"/> (program first) in a new session and process group, in <paramref name="workingDirectory"/>, with <paramref name="environment"/> added.</summary>
    public static ProcessGroup Start(IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string>? environment = null)
    {
        // SIGINT at its default: a shell runs background jobs (as CI may run this suite) with SIGINT
        // ignored, every process inherits that, and a Ctrl-C would never arrive.
        var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var argument in DefaultInterrupt.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("VSTEST_HOST_DEBUG");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return new ProcessGroup(Process.Start(start)!);
    }

    /// <summary>Calls <paramref name="handler"/> with every line printed from now on (on the reading thread).</summary>
    public void OnLine(Action<string> handler) => onLine = handler;

    /// <summary>Every process seen in the group so far (the leader included), looking once more now.</summary>
    public IReadOnlySet<int> Members()
    {
        Look();
        lock (members)
        {
            return members.ToHashSet();
        }
    }

    /// <summary>Every process seen in the group so far, as last looked at (at most 0.1 s ago); cheap.</summary>
    public IReadOnlySet<int> KnownMembers
    {
        get
        {
            lock (members)
            {
                return members.ToHashSet();
            }
        }
    }

    /// <summary>Sends <paramref name="signal"/> (KILL, INT…) to every process of the group, having noted who is in it.</summary>
    public void Signal(string signal)
    {
        Look();
        using var kill = Process.Start("kill", ["-" + signal, "--", "-" + Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits until no process of the group is left (a SIGKILL'd group goes within moments).</summary>
    public async Task WaitUntilGoneAsync(TimeSpan limit)
    {
        var until = DateTimeOffset.UtcNow + limit;
        while (Current().Count > 0 || !leader.HasExited)
        {
            if (DateTimeOffset.UtcNow > until)
            {
                throw new AssertFailedException($"process group {Id} still has {string.Join(", ", Current())} {limit.TotalSeconds:0} s later");
            }

            await Task.Delay(50);
        }

        await stop.CancelAsync();
        await watching;
        await pumping;
    }

    /// <summary>Waits for the leader to end by itself; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        await leader.WaitForExitAsync(timeout.Token);
        await pumping;
        return leader.ExitCode;
    }

    public void Dispose()
    {
        if (Current().Count > 0)
        {
            Signal("KILL");
        }

        stop.Cancel();
        stop.Dispose();
        leader.Dispose();
    }

    /// <summary>The processes in the group now, from /proc (field 5 of /proc/PID/stat is the group).</summary>
    private List<int> Current()
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[2], CultureInfo.InvariantCulture) == Id)
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // gone meanwhile
            }
        }

        return found;
    }

    private void Look()
    {
        var now = Current();
        lock (members)
        {
            members.Add(Id);
            members.UnionWith(now);
        }
    }

    private async Task WatchMembersAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Look();
            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (lines)
            {
                lines.Add(line);
            }

            onLine?.Invoke(line);
        }
    }
}
