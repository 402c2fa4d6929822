namespace ContainerTest.Cli.Tests.Fixtures;

using System.Diagnostics;

/// <summary>
/// A real pseudo-terminal: a detached tmux session running one command line. Keys are typed with
/// send-keys, the screen read with capture-pane; the command's exit code lands in a file.
/// </summary>
internal sealed class TmuxSession : IAsyncDisposable
{
    private static readonly string ServerName = "containertest-tests-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private readonly string name = "ct-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string exitFile = Path.Combine(Path.GetTempPath(), "ct-exit-" + Guid.NewGuid().ToString("N")[..8]);

    private TmuxSession()
    {
    }

    public static async Task<TmuxSession> StartAsync(string commandLine, int columns = 160, int rows = 50)
    {
        var session = new TmuxSession();
        await TmuxAsync("new-session", "-d", "-s", session.name, "-x", columns.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{commandLine}; echo $? > '{session.exitFile}'; sleep 600");
        return session;
    }

    /// <summary>Types <paramref name="text"/> and Enter.</summary>
    public Task TypeLineAsync(string text) => TmuxAsync("send-keys", "-t", name, "-l", text).ContinueWith(_ => TmuxAsync("send-keys", "-t", name, "Enter"), TaskScheduler.Default).Unwrap();

    /// <summary>Presses one key (tmux's names: C-c, Enter…).</summary>
    public Task PressAsync(string key) => TmuxAsync("send-keys", "-t", name, key);

    /// <summary>Resizes the terminal window, as a user dragging it does (the program gets SIGWINCH).</summary>
    public Task ResizeAsync(int columns, int rows) =>
        TmuxAsync("resize-window", "-t", name, "-x", columns.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The screen and its scrollback, as text.</summary>
    public Task<string> ScreenAsync() => TmuxAsync("capture-pane", "-p", "-J", "-S", "-500", "-t", name);

    /// <summary>Waits until the screen holds <paramref name="text"/> <paramref name="times"/> times; fails with the screen otherwise.</summary>
    public async Task<string> WaitForAsync(string text, int times = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        string screen;
        do
        {
            screen = await ScreenAsync();
            if (Count(screen, text) >= times)
            {
                return screen;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"'{text}' did not appear {times} time(s) on the terminal; the screen:\n{screen}");
        return screen;
    }

    /// <summary>The command's exit code, once it ended.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(exitFile) && (await File.ReadAllTextAsync(exitFile)).Trim() is { Length: > 0 } text)
            {
                return int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            }

            await Task.Delay(200);
        }

        Assert.Fail("the command did not end; the screen:\n" + await ScreenAsync());
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await TmuxAsync("kill-session", "-t", name);
        File.Delete(exitFile);
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static async Task<string> TmuxAsync(params string[] arguments)
    {
        // A tmux server of this test process's own: a server someone else started holds *their*
        // environment (DOCKER_HOST, CONTAINERTEST_*…), and every new session would get it.
        var start = new ProcessStartInfo("tmux", ["-L", ServerName, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("tmux did not start: install it (apt-get install tmux).");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
