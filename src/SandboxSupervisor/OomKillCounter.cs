namespace ContainerTest.SandboxSupervisor;

/// <summary>
/// How many processes the kernel's OOM killer has killed in the worker's memory cgroup: the
/// <c>oom_kill</c> count of cgroup v1's <c>memory.oom_control</c> or cgroup v2's
/// <c>memory.events</c>, which the engine mounts inside the container (read-only). A job whose
/// count rose while it ran, and which then ended by SIGKILL, was killed for memory.
/// </summary>
internal static class OomKillCounter
{
    private static readonly string[] Files = ["/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"];

    /// <summary>The count now; null when neither file can be read (no memory limit, an engine that hides the cgroup).</summary>
    public static long? Read()
    {
        foreach (var file in Files)
        {
            try
            {
                foreach (var line in File.ReadLines(file))
                {
                    if (line.StartsWith("oom_kill ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(9), out var count))
                    {
                        return count;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // the other file, or none
            }
        }

        return null;
    }
}
