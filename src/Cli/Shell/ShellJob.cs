namespace ContainerTest.Cli.Shell;

using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.Protocol;

/// <summary>
/// Turns the job `dotnet test` builds for a test into a shell session in the same container:
/// same image, files, environment, user, limits and network, plus the toolbox and a TTY; with
/// <c>--run</c> the test runs first, in that container, then the shell starts.
/// </summary>
internal static class ShellJob
{
    private const string Shell = ToolboxLayers.Folder + "/sh";

    public static JobSpec From(JobSpec testJob, IReadOnlyList<Layer> toolbox, PathPlacement path, bool runTestFirst)
    {
        var script = path switch
        {
            PathPlacement.Append => $"export PATH=\"${{PATH:+$PATH:}}{ToolboxLayers.Folder}\"; ",
            PathPlacement.Prepend => $"export PATH=\"{ToolboxLayers.Folder}${{PATH:+:$PATH}}\"; ",
            _ => string.Empty,
        };
        if (runTestFirst)
        {
            // The agent's results as text, for the person watching (not the adapter's protocol lines).
            // Stdin is the terminal here: the request goes in as a file.
            script += "CONTAINERTEST_AGENT_OUTPUT=text " + string.Join(' ', testJob.Command.Append(AgentRequest.FileArgument).Append(AgentRequest.ContainerPath).Select(Quote))
                + "; echo; echo \"ContainerTest: the test has run (agent exit code $?); its files are as it left them.\"; ";
        }

        script += $"exec {Shell}";
        var environment = new Dictionary<string, string>(testJob.Environment, StringComparer.Ordinal)
        {
            ["PS1"] = "[containertest] \\w \\$ ",
            ["TERM"] = Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term ? term : "xterm",
        };
        return testJob with
        {
            Command = [Shell, "-c", script],
            Layers = [.. testJob.Layers, .. toolbox, .. RequestFile(testJob)],
            StandardInput = null,
            Environment = environment,
            Mounts = [.. testJob.Mounts, new ProcMount()],
            Tty = true,
            StopWhenOwnerExits = false,
            Timeout = null,
            Labels = new Dictionary<string, string>(testJob.Labels) { ["io.containertest.shell"] = "true" },
        };
    }

    private static IEnumerable<Layer> RequestFile(JobSpec testJob) =>
        testJob.StandardInput is { } request ? [new FileLayer(AgentRequest.ContainerPath, request.ToArray())] : [];

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
