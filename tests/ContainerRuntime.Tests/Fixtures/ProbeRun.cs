namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using System.Diagnostics;

/// <summary>
/// A run of tests/Fixtures/RunProbe in a process of its own: a JobRuntime running short jobs
/// through a pool until it is killed (or, given a count, until that many ran).
/// </summary>
internal sealed class ProbeRun : IDisposable
{
    private readonly Process process;
    private readonly List<string> lines = [];
    private readonly TaskCompletionSource<string> runId = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task pumping;
    private Action<string>? onLine;

    private ProbeRun(Process process)
    {
        this.process = process;
        pumping = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
    }

    /// <summary>The probe's process id.</summary>
    public int ProcessId => process.Id;

    /// <summary>Whether it still runs.</summary>
    public bool IsAlive => !process.HasExited;

    /// <summary>How many jobs it reported.</summary>
    public int JobsDone
    {
        get
        {
            lock (lines)
            {
                return lines.Count(l => l.StartsWith("job ", StringComparison.Ordinal));
            }
        }
    }

    /// <summary>Everything it printed so far, for messages.</summary>
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

    /// <summary>
    /// Starts a probe in <paramref name="isolation"/> whose jobs carry io.containertest.test-probe=<paramref name="marker"/>,
    /// reaching the engine at <paramref name="dockerHost"/> when given.
    /// </summary>
    public static ProbeRun Start(string isolation, string marker, int? jobs = null, string? dockerHost = null)
    {
        var probe = Path.Combine(Path.GetDirectoryName(typeof(ProbeRun).Assembly.Location)!, "RunProbe.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { probe, isolation, marker }.Concat(jobs is { } count ? [count.ToString(System.Globalization.CultureInfo.InvariantCulture)] : []))
        {
            start.ArgumentList.Add(argument);
        }

        if (dockerHost is not null)
        {
            start.Environment["DOCKER_HOST"] = dockerHost;
        }

        return new ProbeRun(Process.Start(start)!);
    }

    /// <summary>Calls <paramref name="handler"/> with every line printed from now on (on the reading thread).</summary>
    public void OnLine(Action<string> handler) => onLine = handler;

    /// <summary>The run's id, as soon as it connected (its first line).</summary>
    public async Task<string> RunIdAsync()
    {
        try
        {
            return await runId.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new AssertFailedException("the probe did not connect within 60 s: " + Output);
        }
    }

    /// <summary>Kills the probe with SIGKILL: none of its code runs any more.</summary>
    public void Kill()
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // exited already
        }
    }

    /// <summary>Waits for the probe to end by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(limit.Token);
        await pumping;
        return process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (lines)
            {
                lines.Add(line);
            }

            if (line.StartsWith("run ", StringComparison.Ordinal))
            {
                runId.TrySetResult(line["run ".Length..]);
            }

            onLine?.Invoke(line);
        }

        runId.TrySetException(new AssertFailedException("the probe ended before it connected: " + Output));
    }
}
