namespace ContainerTest.TestAdapter.Tests.Fixtures;

using System.Diagnostics;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// A second Docker Engine of our own (its own data, exec root and socket under a temp folder; no
/// bridge, no iptables), for tests that stop an engine in the middle of a run without touching
/// the machine's engine that everything else uses.
/// </summary>
internal sealed class PrivateDockerEngine : IAsyncDisposable
{
    private readonly DirectoryInfo root;
    private readonly IReadOnlyList<string> extraArguments;
    private Process? daemon;

    private PrivateDockerEngine(DirectoryInfo root, IReadOnlyList<string> extraArguments)
    {
        this.root = root;
        this.extraArguments = extraArguments;
    }

    /// <summary>The value for DOCKER_HOST.</summary>
    public string Host => "unix://" + Path.Combine(root.FullName, "docker.sock");

    /// <summary>The engine's data root (its images' layers, its containers).</summary>
    public string DataRoot => Path.Combine(root.FullName, "data");

    public static async Task<PrivateDockerEngine> StartAsync()
    {
        var engine = new PrivateDockerEngine(Directory.CreateTempSubdirectory("ct-engine-"), []);
        await engine.StartDaemonAsync();
        return engine;
    }

    /// <summary>
    /// An engine whose containers may not make namespaces or mount, whatever seccomp profile
    /// they ask for — as under a host policy that forbids it (AppArmor's docker-default, say):
    /// its OCI runtime is runc behind a script that takes unshare and mount out of every
    /// container's seccomp profile (Fixtures/no-namespaces-runc).
    /// </summary>
    public static async Task<PrivateDockerEngine> StartWithoutNamespacesAsync()
    {
        var root = Directory.CreateTempSubdirectory("ct-engine-");
        var wrapper = Path.Combine(root.FullName, "no-namespaces-runc");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "no-namespaces-runc"), wrapper);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);
        }
        var engine = new PrivateDockerEngine(root, ["--add-runtime", "no-namespaces=" + wrapper, "--default-runtime", "no-namespaces"]);
        await engine.StartDaemonAsync();
        return engine;
    }

    public DockerClient Client() => new DockerClientBuilder().WithEndpoint(new Uri(Host)).Build();

    /// <summary>Starts the engine again on the same data (to see what the last one left behind).</summary>
    public Task RestartAsync() => StartDaemonAsync();

    /// <summary>Stops the engine as `systemctl stop docker` would (SIGTERM) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (daemon is null || daemon.HasExited)
        {
            return;
        }

        Process.Start("kill", ["-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await daemon.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            daemon.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        daemon?.Dispose();

        // Whatever of this engine outlived it (its containerd, shims): nothing may survive the test.
        using (var pkill = Process.Start("pkill", ["-KILL", "-f", root.FullName])!)
        {
            await pkill.WaitForExitAsync();
        }

        using (var umount = Process.Start("sh", ["-c", $"grep -o ' {root.FullName}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l"])!)
        {
            await umount.WaitForExitAsync();
        }

        try
        {
            root.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A busy overlay folder is left to the OS's temp cleanup; the engine itself is gone.
        }
    }

    private async Task StartDaemonAsync()
    {
        // In a network namespace of its own: a dockerd without a bridge deletes the host's docker0
        // (the machine engine's bridge) when it starts, and its iptables rules would be shared too.
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "--net", "--", "dockerd",
                "--data-root", DataRoot,
                "--exec-root", Path.Combine(root.FullName, "exec"),
                "--pidfile", Path.Combine(root.FullName, "docker.pid"),
                "-H", Host,
                "--bridge=none", "--iptables=false", "--ip-masq=false", "--ip-forward=false",
            },
        };
        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        daemon = Process.Start(start)!;
        daemon.OutputDataReceived += (_, _) => { };
        daemon.ErrorDataReceived += (_, _) => { };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        using var client = Client();
        for (var attempt = 0; attempt < 60; attempt++)
        {
            try
            {
                await client.System.PingAsync();
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or DockerApiException or TimeoutException or System.Net.Sockets.SocketException)
            {
                await Task.Delay(500);
            }
        }

        throw new InvalidOperationException($"the private dockerd at {Host} did not answer within 30 s");
    }

    /// <summary>Containers of ours on this engine: a test's own, or a sandbox worker.</summary>
    public async Task<int> JobContainersAsync(bool all)
    {
        using var client = Client();
        var count = 0;
        foreach (var kind in new[] { "job", "worker" })
        {
            var containers = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = all,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["io.containertest.kind=" + kind] = true } },
            });
            count += containers.Count;
        }

        return count;
    }
}
