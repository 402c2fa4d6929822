namespace ContainerTest.Reaper;

using ContainerTest.ContainerRuntime.Backends.Docker.Reaper;

/// <summary>The run's link: the reaper's stdin, which the test process holds attached until it ends or dies.</summary>
internal static class Link
{
    /// <summary>Reads <paramref name="stdin"/> to its end.</summary>
    /// <returns>True when the run said <see cref="ReaperProtocol.EndLine"/> first (it ended normally); false when the link just dropped.</returns>
    public static async Task<bool> WaitUntilClosedAsync(Stream stdin)
    {
        using var reader = new StreamReader(stdin);
        var ended = false;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            ended |= line == ReaperProtocol.EndLine;
        }

        return ended;
    }
}
