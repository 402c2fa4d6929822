namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using System.Diagnostics;
using ContainerTest.ContainerRuntime.Backends.Qemu;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// The qemu backend the VM tests share (one per test class that asks for it: booting is slow
/// under TCG), the host image's disk, and a folder with a static busybox and its applets, laid
/// into each VM read-only at <see cref="Tools"/> (the host image has no shell).
/// </summary>
internal sealed class QemuMachine : IAsyncDisposable
{
    /// <summary>Where the busybox folder is inside the VMs.</summary>
    public const string Tools = "/.containertest/tools";

    private readonly TemporaryDirectory tools = new();

    private QemuMachine(QemuBackend backend, string image, List<string> notices)
    {
        Backend = backend;
        Image = image;
        Notices = notices;
    }

    public QemuBackend Backend { get; }

    /// <summary>The host image's tag.</summary>
    public string Image { get; }

    /// <summary>What the backend told the user.</summary>
    public List<string> Notices { get; }

    /// <summary>The busybox folder on the host.</summary>
    public string ToolsFolder => tools.Path;

    public static async Task<QemuMachine> StartAsync(CancellationToken cancellationToken)
    {
        var notices = new List<string>();
        var backend = await QemuBackend.ConnectAsync(new QemuBackendOptions { RunId = "vmtests-" + Guid.NewGuid().ToString("N")[..8], OnNotice = notices.Add }, cancellationToken);
        var image = await backend.EnsureHostImageAsync(cancellationToken);
        var machine = new QemuMachine(backend, image, notices);
        machine.StageBusybox();
        return machine;
    }

    /// <summary>A job that runs <paramref name="script"/> with busybox sh in a VM.</summary>
    public JobSpec Shell(string script) => new()
    {
        Image = Image,
        Command = [Tools + "/sh", "-c", script],
        Layers = [new HostDirectoryLayer(ToolsFolder, Tools)],
        Environment = new Dictionary<string, string> { ["PATH"] = Tools },
        Timeout = TimeSpan.FromMinutes(4),
    };

    public async ValueTask DisposeAsync()
    {
        await Backend.DisposeAsync();
        tools.Dispose();
    }

    /// <summary>The QEMU processes running now whose command line names <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> QemuProcesses(string text) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Where(pid =>
            {
                try
                {
                    var argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
                    return argv[0].Contains("qemu-system", StringComparison.Ordinal) && argv.Any(a => a.Contains(text, StringComparison.Ordinal));
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .ToList();

    private void StageBusybox()
    {
        var busybox = Path.Combine(tools.Path, "busybox");
        File.Copy("/bin/busybox", busybox);
        var list = Process.Start(new ProcessStartInfo(busybox, "--list") { RedirectStandardOutput = true })!;
        var applets = list.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        list.WaitForExit();
        foreach (var applet in applets)
        {
            if (applet != "busybox")
            {
                File.CreateSymbolicLink(Path.Combine(tools.Path, applet), "busybox");
            }
        }
    }
}
