namespace ContainerTest.Agent;

/// <summary>
/// The agent's stdin is held open by the process that started the container. When that process
/// dies — even killed outright, as a Ctrl-C'd `dotnet test` kills its test host — stdin reaches
/// its end, the agent exits, and the engine removes the stopped container. No test outlives
/// the run that started it.
/// </summary>
internal static class OwnerLink
{
    /// <summary>Exit code when the owner went away.</summary>
    public const int OwnerGoneExitCode = 125;

    /// <summary>Watches <paramref name="stdin"/> (from where its request ended) and exits the process at its end.</summary>
    public static void ExitWhenStdinCloses(Stream stdin)
    {
        var watcher = new Thread(() =>
        {
            try
            {
                var buffer = new byte[256];
                while (stdin.Read(buffer, 0, buffer.Length) > 0)
                {
                    // Nothing is ever sent; only the end of input matters.
                }
            }
            catch (IOException)
            {
                // A broken stdin is a closed one.
            }

            Environment.Exit(OwnerGoneExitCode);
        })
        {
            IsBackground = true,
            Name = "ContainerTest owner link",
        };
        watcher.Start();
    }
}
