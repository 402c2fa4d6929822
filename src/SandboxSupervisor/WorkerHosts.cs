namespace ContainerTest.SandboxSupervisor;

using System.Net;

/// <summary>
/// The lines of the worker's /etc/hosts a sandbox sharing the worker's network must keep: names
/// the engine mapped for the worker (an allow-list's names, each mapped to its gateway; the run's
/// shared services). Loopback lines and the worker's own name are left out: the sandbox writes its
/// own (<see cref="BwrapCommandLine.HostsFile"/>).
/// </summary>
internal static class WorkerHosts
{
    /// <summary>The mapped-name lines of <paramref name="hostsText"/>, without those of loopback, multicast and <paramref name="workerName"/>.</summary>
    public static IReadOnlyList<string> MappedNames(string hostsText, string workerName)
    {
        var kept = new List<string>();
        foreach (var raw in hostsText.Split('\n'))
        {
            var line = raw.Split('#')[0].Trim();
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !IPAddress.TryParse(fields[0], out var address)
                || IPAddress.IsLoopback(address) || address.IsIPv6Multicast || address.IsIPv6LinkLocal
                || fields[0].StartsWith("fe00:", StringComparison.OrdinalIgnoreCase) || fields[0].StartsWith("ff0", StringComparison.OrdinalIgnoreCase)
                || fields.Skip(1).Any(name => string.Equals(name, workerName, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            kept.Add(string.Join('\t', fields));
        }

        return kept;
    }
}
