namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Diagnostics;
using System.Globalization;

/// <summary>
/// Whether the process that made a resource still runs, from the resource's labels
/// (<see cref="ContainerLabels.OwnerHost"/> and <see cref="ContainerLabels.OwnerProcessId"/>).
/// Only a process of this machine can be looked at; a resource of another machine, or without
/// those labels, has no owner here.
/// </summary>
internal static class OwnerProcess
{
    /// <summary>True when <paramref name="labels"/> say the resource was made on this machine.</summary>
    public static bool IsOfThisMachine(IDictionary<string, string>? labels) =>
        labels is not null && labels.TryGetValue(ContainerLabels.OwnerHost, out var host) && host == Environment.MachineName;

    /// <summary>True when <paramref name="labels"/> name a process of this machine that still runs.</summary>
    public static bool IsAlive(IDictionary<string, string>? labels) =>
        IsOfThisMachine(labels) && Of(labels!) is { } pid && IsAlive(pid);

    /// <summary>True when <paramref name="labels"/> name a process of this machine that has ended (what it made is left over).</summary>
    public static bool HasEnded(IDictionary<string, string>? labels) =>
        IsOfThisMachine(labels) && Of(labels!) is { } pid && !IsAlive(pid);

    /// <summary>The owner's process id, when the labels carry one.</summary>
    private static int? Of(IDictionary<string, string> labels) =>
        labels.TryGetValue(ContainerLabels.OwnerProcessId, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    /// <summary>True when process <paramref name="pid"/> of this machine still runs.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
