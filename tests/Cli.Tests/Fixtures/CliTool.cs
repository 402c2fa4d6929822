namespace ContainerTest.Cli.Tests.Fixtures;

using System.Diagnostics;

/// <summary>The built `dotnet containertest` tool, run as a user runs it.</summary>
internal static class CliTool
{
    /// <summary>`dotnet dotnet-containertest.dll …`, quoted for a shell.</summary>
    public static string ShellCommandLine(params string[] arguments) =>
        string.Join(' ', new[] { "dotnet", ToolPath }.Concat(arguments).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));

    private static string ToolPath => Path.Combine(AppContext.BaseDirectory, "dotnet-containertest.dll");

    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(ToolPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
