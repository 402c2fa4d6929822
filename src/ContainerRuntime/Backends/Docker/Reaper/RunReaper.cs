namespace ContainerTest.ContainerRuntime.Backends.Docker.Reaper;

using System.Globalization;
using System.Net;
using System.Text;
using ContainerTest.ContainerRuntime.Errors;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// The reaper of one run, after Testcontainers' Ryuk: a small container, started before anything
/// else of the run, that holds a link from the run's process — its stdin, attached through the
/// engine — and, when the link drops, removes every container, network and volume labelled with
/// the run's id (see project Reaper). It is a container, not a process beside the test host, so it
/// survives whatever kills the test host's process tree (a CI runner's cancel, a debugger's stop,
/// SIGKILL); and the engine closes the link whenever the process holding it dies, at any instant.
/// </summary>
/// <remarks>
/// <para>It runs on an image with .NET (the host image), as root with no capabilities, no
/// network, no privilege gain and small memory and process limits, with the engine's socket
/// mounted; the engine removes it when it exits. It never removes anything of another run, except
/// a reaper that a dead run created and never started (<see cref="ReaperProtocol.StrandedAfter"/>).</para>
/// <para>What it cannot cover: the instant between creating this container and starting it.
/// Then only it exists, in the <c>created</c> state, and the next live reaper on the engine or
/// the next run's leftover sweep removes it.</para>
/// </remarks>
internal sealed class RunReaper : IAsyncDisposable
{
    private const long MemoryBytes = 128L * 1024 * 1024;
    private const long Pids = 64;
    private const int Attempts = 3;
    private const int OutputKept = 4096;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    private readonly MultiplexedStream link;
    private readonly StringBuilder output = new();
    private readonly Action<string> onLost;
    private readonly Task reading;
    private int released;
    private volatile bool reachedEngine;

    private RunReaper(string containerId, string name, MultiplexedStream link, Action<string> onLost)
    {
        ContainerId = containerId;
        Name = name;
        this.link = link;
        this.onLost = onLost;
        reading = ReadAsync();
    }

    /// <summary>The reaper container's id.</summary>
    public string ContainerId { get; }

    /// <summary>Its name (<c>containertest-reaper-&lt;run id&gt;</c>).</summary>
    public string Name { get; }

    /// <summary>
    /// Creates and starts the reaper of <paramref name="runId"/>. When this returns, the reaper
    /// runs and holds the link: anything the run makes from now on is removed when the link drops.
    /// </summary>
    /// <param name="client">The engine.</param>
    /// <param name="image">An image with <c>dotnet</c> (.NET 8 or newer) on its PATH.</param>
    /// <param name="runId">The run whose resources it removes.</param>
    /// <param name="onLost">Told, once, when the reaper ends while the run still goes on (with what it printed).</param>
    /// <exception cref="ContainerRuntimeException">The engine refused the container, or it did not start.</exception>
    public static async Task<RunReaper> StartAsync(DockerClient client, string image, string runId, Action<string> onLost)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(client, image, runId, attempt, onLost).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex is not DockerImageNotFoundException && attempt < Attempts)
            {
                // Another run's reaper took it for stranded while this process stalled between
                // creating and starting it: nothing else of this run exists yet, make another.
            }
        }
    }

    /// <summary>
    /// Tells the reaper the run ended (everything it made was removed) and lets go of the link;
    /// the reaper sweeps once more — for a create the engine completed after a cancellation — and
    /// exits, and the engine removes it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref released, 1) != 0)
        {
            return;
        }

        try
        {
            var end = Encoding.UTF8.GetBytes(ReaperProtocol.EndLine + "\n");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await link.WriteAsync(end, 0, end.Length, timeout.Token).ConfigureAwait(false);
            link.CloseWrite();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The reaper is gone already (or the engine): nothing to tell.
        }

        link.Dispose();
        await reading.ConfigureAwait(false);
    }

    private static async Task<RunReaper> TryStartAsync(DockerClient client, string image, string runId, int attempt, Action<string> onLost)
    {
        var name = "containertest-reaper-" + runId + (attempt > 1 ? "-" + attempt.ToString(CultureInfo.InvariantCulture) : string.Empty);
        var (entrypoint, command) = ReaperProgram.CommandLine(runId);
        using var timeout = new CancellationTokenSource(StepTimeout);
        var archive = await ReaperProgram.ArchiveAsync(timeout.Token).ConfigureAwait(false);
        await using (archive.ConfigureAwait(false))
        {
            CreateContainerResponse created;
            try
            {
                created = await client.Containers.CreateContainerAsync(Parameters(name, image, runId, entrypoint, command, EngineSocket(client.Options.Endpoint)), timeout.Token).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex is not DockerImageNotFoundException)
            {
                throw new ContainerRuntimeException($"The Docker Engine refused to create the run's reaper: {DockerJobRun.ApiMessage(ex)}", RetryClass.Unknown, ex);
            }

            // From here to the start, only this container of the run exists: nothing else in between.
            MultiplexedStream? link = null;
            try
            {
                await client.Containers.ExtractArchiveToContainerAsync(created.ID, new CopyToContainerParameters { Path = "/" }, archive, timeout.Token).ConfigureAwait(false);
                link = await client.Containers.AttachContainerAsync(
                    created.ID,
                    new ContainerAttachParameters { Stream = true, Stdin = true, Stdout = true, Stderr = true },
                    timeout.Token).ConfigureAwait(false);
                await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), timeout.Token).ConfigureAwait(false);
                return new RunReaper(created.ID, name, link, onLost);
            }
            catch (Exception ex)
            {
                link?.Dispose();
                await RemoveAsync(client, created.ID).ConfigureAwait(false);
                if (ex is DockerApiException api && api.StatusCode != HttpStatusCode.NotFound)
                {
                    throw new ContainerRuntimeException($"The run's reaper did not start: {DockerJobRun.ApiMessage(api)}", RetryClass.Unknown, ex);
                }

                throw;
            }
        }
    }

    private static CreateContainerParameters Parameters(string name, string image, string runId, IList<string> entrypoint, IList<string> command, string socket) => new()
    {
        Name = name,
        Image = image,
        Entrypoint = entrypoint,
        Cmd = command,
        // Root (without capabilities) opens the engine's socket, which belongs to root; with
        // rootless Docker, root here is the engine's own user.
        User = "0:0",
        Env = ["DOTNET_EnableDiagnostics=0", "DOTNET_CLI_TELEMETRY_OPTOUT=1", "DOTNET_NOLOGO=1", "DOTNET_gcServer=0"],
        AttachStdin = true,
        OpenStdin = true,
        StdinOnce = true,
        AttachStdout = true,
        AttachStderr = true,
        Labels = new Dictionary<string, string>
        {
            [ContainerLabels.Managed] = "true",
            [ContainerLabels.RunId] = runId,
            [ContainerLabels.Kind] = ReaperProtocol.KindLabelValue,
            // No owner process id: a sweep of dead runs' leftovers (its own, or an older
            // ContainerTest's) must not stop a dead run's reaper while it removes that run.
            [ContainerLabels.GuardedProcessId] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            [ContainerLabels.OwnerHost] = Environment.MachineName,
        },
        HostConfig = new HostConfig
        {
            AutoRemove = true,
            NetworkMode = "none",
            Mounts = [new Mount { Type = "bind", Source = socket, Target = ReaperProtocol.SocketPath }],
            CapDrop = ["ALL"],
            // label=disable: an SELinux host would otherwise deny the socket to the container.
            SecurityOpt = ["no-new-privileges", "label=disable"],
            Memory = MemoryBytes,
            MemorySwap = MemoryBytes,
            PidsLimit = Pids,
        },
    };

    /// <summary>
    /// The engine's socket on the engine's machine: the endpoint's own path for a local socket on
    /// Linux; the conventional path otherwise (a remote engine, Docker Desktop's VM).
    /// </summary>
    private static string EngineSocket(Uri endpoint) =>
        OperatingSystem.IsLinux() && endpoint.Scheme == "unix" ? endpoint.AbsolutePath : ReaperProtocol.SocketPath;

    private static async Task RemoveAsync(DockerClient client, string id)
    {
        try
        {
            using var timeout = new CancellationTokenSource(StepTimeout);
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
        {
            // Labelled: another run's reaper, the next run or `dotnet containertest clean` removes it.
        }
    }

    /// <summary>Reads what the reaper prints: its ready line, then what it removed; tells when it ends early.</summary>
    private async Task ReadAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await link.ReadOutputAsync(buffer, 0, buffer.Length, CancellationToken.None).ConfigureAwait(false);
                if (read.EOF)
                {
                    break;
                }

                lock (output)
                {
                    output.Append(Encoding.UTF8.GetString(buffer, 0, read.Count));
                    if (output.Length > OutputKept)
                    {
                        output.Remove(0, output.Length - OutputKept);
                    }

                    reachedEngine |= output.ToString().Contains(ReaperProtocol.ReadyLine, StringComparison.Ordinal);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The link was let go of, or the engine went away.
        }

        if (Volatile.Read(ref released) == 0)
        {
            string printed;
            lock (output)
            {
                printed = output.Length == 0 ? "(nothing)" : output.ToString().Trim();
            }

            onLost($"the run's reaper ({Name}) {(reachedEngine ? "stopped" : "ended before it reached the engine")}; it printed: {printed}");
        }
    }
}
