namespace ContainerTest.Cli;

using ContainerTest.ContainerRuntime.Errors;

/// <summary>Turns the problems a user can fix into one line on stderr and exit code 2 — never a stack trace.</summary>
internal static class CliErrors
{
    public static async Task<int> ReportAsync(Func<CancellationToken, Task<int>> command, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await command(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CliException or ContainerRuntimeException)
        {
            await Console.Error.WriteLineAsync($"dotnet containertest {name}: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"dotnet containertest {name}: cancelled.").ConfigureAwait(false);
            return 130;
        }
    }
}
