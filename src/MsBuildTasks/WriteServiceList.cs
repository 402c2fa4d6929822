namespace ContainerTest.MsBuildTasks;

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Build.Framework;

/// <summary>
/// Checks the project's <c>ContainerTestService</c> items and writes them to
/// <c>.containertest/services.json</c> in the test output, where the adapter reads them: the
/// shared services a run starts before its first test. A mistake fails the build with a message
/// naming the service, the metadata and what is accepted.
/// </summary>
/// <remarks>
/// Item metadata: <c>Image</c> (required), <c>Ports</c> (TCP ports, separated by <c>;</c> or
/// <c>,</c>), <c>Environment</c> (<c>KEY=VALUE</c> pairs separated by <c>;</c>), <c>Command</c>
/// (arguments separated by spaces; empty keeps the image's), <c>Ready</c> (<c>tcp:PORT</c>,
/// <c>log:TEXT</c> or <c>exec:COMMAND ARGS</c>; default: a connection to the first port), and
/// <c>ReadyTimeout</c> (a duration such as <c>90s</c>; default 60 s).
/// </remarks>
public sealed partial class WriteServiceList : Microsoft.Build.Utilities.Task
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The <c>ContainerTestService</c> items (identity: the service's name).</summary>
    public ITaskItem[] Services { get; set; } = [];

    /// <summary>The file to write (removed when there are no services).</summary>
    [Required]
    public string File { get; set; } = string.Empty;

    /// <inheritdoc />
    public override bool Execute()
    {
        if (Services.Length == 0)
        {
            if (System.IO.File.Exists(File))
            {
                System.IO.File.Delete(File);
            }

            return true;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<Dictionary<string, object?>>();
        foreach (var item in Services)
        {
            var name = item.ItemSpec.Trim();
            if (!NamePattern().IsMatch(name) || name == "localhost")
            {
                return Fail(name, "its name", name, "a host name of lower-case letters, digits and '-' (tests reach the service by it), such as db or redis-cache");
            }

            if (!names.Add(name))
            {
                return Fail(name, "its name", name, "a name no other ContainerTestService has");
            }

            var image = item.GetMetadata("Image").Trim();
            if (image.Length == 0)
            {
                return Fail(name, "Image", image, "the image the service runs, such as postgres:16 or a locally built image");
            }

            var ports = new List<int>();
            foreach (var text in item.GetMetadata("Ports").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                {
                    return Fail(name, "Ports", item.GetMetadata("Ports"), "TCP ports (1-65535) separated by ';' or ',', such as 5432");
                }

                ports.Add(port);
            }

            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in item.GetMetadata("Environment").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    return Fail(name, "Environment", item.GetMetadata("Environment"), "KEY=VALUE pairs separated by ';', such as POSTGRES_PASSWORD=test;POSTGRES_DB=app");
                }

                environment[pair[..equals]] = pair[(equals + 1)..];
            }

            var ready = item.GetMetadata("Ready").Trim();
            if (ready.Length > 0 && !ReadyPattern().IsMatch(ready))
            {
                return Fail(name, "Ready", ready, "tcp:PORT (a connection to that port succeeds), log:TEXT (the service's output holds TEXT) or exec:COMMAND ARGS (the command, run in the service, exits 0)");
            }

            var readyTimeout = item.GetMetadata("ReadyTimeout").Trim();
            if (readyTimeout.Length > 0 && !DurationPattern().IsMatch(readyTimeout))
            {
                return Fail(name, "ReadyTimeout", readyTimeout, "a duration such as 90s, 2m or 00:01:30 (a bare number means seconds)");
            }

            list.Add(new Dictionary<string, object?>
            {
                ["name"] = name,
                ["image"] = image,
                ["ports"] = ports,
                ["environment"] = environment,
                ["command"] = item.GetMetadata("Command").Split(' ', StringSplitOptions.RemoveEmptyEntries),
                ["ready"] = ready.Length > 0 ? ready : null,
                ["readyTimeout"] = readyTimeout.Length > 0 ? readyTimeout : null,
            });
        }

        var json = JsonSerializer.Serialize(list, Indented);
        if (!System.IO.File.Exists(File) || System.IO.File.ReadAllText(File) != json)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(File))!);
            System.IO.File.WriteAllText(File, json);
        }

        return true;
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^(tcp:[0-9]{1,5}|log:.+|exec:.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ReadyPattern();

    [GeneratedRegex("^([0-9]+(\\.[0-9]+)?(ms|s|m|h)?|[0-9]+:[0-9]{2}:[0-9]{2})$")]
    private static partial Regex DurationPattern();

    private bool Fail(string service, string what, string value, string accepted)
    {
        Log.LogError($"ContainerTest: invalid value '{value}' for {what} of the ContainerTestService '{service}': expected {accepted}.");
        return false;
    }
}
