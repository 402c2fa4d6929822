namespace ContainerTest.ContainerRuntime.Backends.Docker.Services;

using System.Globalization;
using System.Net.Sockets;
using System.Text;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Network;
using ContainerTest.ContainerRuntime.Services;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;
using ServiceSpec = ContainerTest.ContainerRuntime.Services.ServiceSpec;

/// <summary>
/// A run's shared services on a Docker Engine: one container each on the engine's default bridge
/// (no published port: jobs reach it through their allow-list gateway or, on the open network, by
/// its bridge address), labelled with the run (kind <c>service</c>, the owner's process and host,
/// so a reaper removes what a killed run left), started together and each waited for until its
/// readiness check passes. Not auto-removed: its output stays readable until the run removes it.
/// </summary>
internal sealed class ServiceContainers : IRunServices
{
    /// <summary>The value of <see cref="ContainerLabels.Kind"/> on service containers.</summary>
    public const string Kind = "service";

    /// <summary>The label naming the service.</summary>
    public const string NameLabel = "io.containertest.service";

    private const int LogTailLines = 40;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly DockerClient client;
    private readonly ServiceAddresses addresses;
    private readonly string? publishOn;
    private readonly Dictionary<string, string> containers; // name → container id
    private int disposed;

    private ServiceContainers(DockerClient client, ServiceAddresses addresses, Dictionary<string, string> containers, IReadOnlyList<ServiceSpec> specs, string? publishOn)
    {
        this.client = client;
        this.addresses = addresses;
        this.publishOn = publishOn;
        this.containers = containers;
        Names = specs.Select(s => s.Name).ToList();
        Endpoints = specs.SelectMany(s => s.Endpoints).ToList();
    }

    /// <inheritdoc />
    public IReadOnlyList<NetworkEndpoint> Endpoints { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Names { get; }

    /// <summary>Starts every service and waits until each is ready; on any failure removes them all and says why.</summary>
    /// <param name="client">The engine.</param>
    /// <param name="runId">The run they are labelled with.</param>
    /// <param name="images">Pulls their images.</param>
    /// <param name="addresses">Where their addresses are recorded.</param>
    /// <param name="specs">The services.</param>
    /// <param name="publishOn">
    /// For workers on other machines (a cluster's nodes): the engine's address they reach, on which
    /// each listed port is also published (a free host port the engine picks); null: not published.
    /// </param>
    /// <param name="cancellationToken">Stops the start (what was started is removed).</param>
    /// <exception cref="InvalidJobSpecException">A name is invalid or used twice.</exception>
    /// <exception cref="ServiceFailedException">A service did not start or become ready (the message ends with its output).</exception>
    public static async Task<ServiceContainers> StartAsync(
        DockerClient client, string runId, ImagePuller images, ServiceAddresses addresses, IReadOnlyList<ServiceSpec> specs, string? publishOn, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (!ServiceSpec.IsValidName(spec.Name, out var error))
            {
                throw new InvalidJobSpecException(error!);
            }

            if (!seen.Add(spec.Name))
            {
                throw new InvalidJobSpecException($"Two services are named '{spec.Name}': jobs reach a service by its name, so each needs its own.");
            }
        }

        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var services = new ServiceContainers(client, addresses, ids, specs, publishOn);
        try
        {
            await Task.WhenAll(specs.Select(spec => services.StartOneAsync(spec, runId, images, cancellationToken))).ConfigureAwait(false);
            return services;
        }
        catch
        {
            await services.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<string> LogsAsync(string name, CancellationToken cancellationToken = default)
    {
        string? id;
        lock (containers)
        {
            containers.TryGetValue(name, out id);
        }

        return id is null ? string.Empty : await ReadLogsAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes every service container (and forgets their addresses).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        List<KeyValuePair<string, string>> all;
        lock (containers)
        {
            all = [.. containers];
        }

        await Task.WhenAll(all.Select(async pair =>
        {
            addresses.Remove(pair.Key);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await client.Containers.RemoveContainerAsync(pair.Value, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DockerApiException or OperationCanceledException or HttpRequestException or IOException)
            {
                // Labelled with the run and its owner: a reaper, the next run or `dotnet containertest clean` removes it.
            }
        })).ConfigureAwait(false);
    }

    private async Task StartOneAsync(ServiceSpec spec, string runId, ImagePuller images, CancellationToken cancellationToken)
    {
        await images.EnsurePresentAsync(spec.Image, cancellationToken).ConfigureAwait(false);
        CreateContainerResponse created;
        try
        {
            created = await client.Containers.CreateContainerAsync(
                new CreateContainerParameters
                {
                    Image = spec.Image,
                    Cmd = spec.Command.Count > 0 ? spec.Command.ToList() : null!,
                    Env = spec.Environment.Select(pair => pair.Key + "=" + pair.Value).ToList(),
                    Hostname = spec.Name,
                    Labels = new Dictionary<string, string>
                    {
                        [ContainerLabels.Managed] = "true",
                        [ContainerLabels.RunId] = runId,
                        [ContainerLabels.Kind] = Kind,
                        [ContainerLabels.JobId] = "s-" + spec.Name,
                        [NameLabel] = spec.Name,
                        [ContainerLabels.OwnerProcessId] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                        [ContainerLabels.OwnerHost] = Environment.MachineName,
                    },
                    ExposedPorts = publishOn is null ? null! : spec.Ports.ToDictionary(p => Tcp(p), _ => new EmptyStruct()),
                    HostConfig = new HostConfig
                    {
                        NetworkMode = "bridge",
                        PortBindings = publishOn is null ? null! : spec.Ports.ToDictionary(p => Tcp(p), _ => (IList<PortBinding>)[new PortBinding { HostIP = publishOn, HostPort = string.Empty }]),
                    },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex is not DockerImageNotFoundException)
        {
            throw new ServiceFailedException($"The shared service '{spec.Name}' (image {spec.Image}) could not be created: {DockerJobRun.ApiMessage(ex)}", RetryClass.Unknown, ex);
        }

        lock (containers)
        {
            containers[spec.Name] = created.ID;
        }

        try
        {
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            throw new ServiceFailedException($"The shared service '{spec.Name}' (image {spec.Image}) did not start: {DockerJobRun.ApiMessage(ex)}{await TailAsync(created.ID).ConfigureAwait(false)}", RetryClass.NotRetryable, ex);
        }

        var (address, published) = await AddressAsync(spec, created.ID, cancellationToken).ConfigureAwait(false);
        await WaitUntilReadyAsync(spec, created.ID, address, published, cancellationToken).ConfigureAwait(false);
        if (publishOn is null)
        {
            addresses.Add(spec.Name, address);
        }
        else
        {
            addresses.Add(spec.Name, address, publishOn, published);
        }
    }

    private static string Tcp(int port) => port.ToString(CultureInfo.InvariantCulture) + "/tcp";

    /// <summary>Its address on the default bridge, and the host port each listed port is published on (when it is).</summary>
    private async Task<(string Address, IReadOnlyDictionary<int, int> Published)> AddressAsync(ServiceSpec spec, string id, CancellationToken cancellationToken)
    {
        var inspected = await client.Containers.InspectContainerAsync(id, cancellationToken).ConfigureAwait(false);
        if (inspected.NetworkSettings?.Networks is { } networks && networks.TryGetValue("bridge", out var bridge) && !string.IsNullOrEmpty(bridge.IPAddress))
        {
            var published = new Dictionary<int, int>();
            foreach (var port in publishOn is null ? [] : spec.Ports)
            {
                var binding = inspected.NetworkSettings.Ports is { } ports && ports.TryGetValue(Tcp(port), out var bindings) ? bindings?.FirstOrDefault() : null;
                published[port] = int.TryParse(binding?.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var hostPort)
                    ? hostPort
                    : throw new ServiceFailedException($"The shared service '{spec.Name}' was to be published on port {port} for the cluster's workers, but the engine gave it no host port.{await TailAsync(id).ConfigureAwait(false)}");
            }

            return (bridge.IPAddress, published);
        }

        throw new ServiceFailedException(
            $"The shared service '{spec.Name}' has no address on the engine's default bridge ({(inspected.State?.Running == true ? "it runs" : "it stopped")}), so no job could reach it.{await TailAsync(id).ConfigureAwait(false)}");
    }

    private async Task WaitUntilReadyAsync(ServiceSpec spec, string id, string address, IReadOnlyDictionary<int, int> published, CancellationToken cancellationToken)
    {
        var readiness = spec.Readiness ?? (spec.Ports.Count > 0 ? new TcpReadiness(spec.Ports[0]) : null);
        if (readiness is null)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(spec.ReadyTimeout);
        try
        {
            while (true)
            {
                if (await IsReadyAsync(readiness, id, address, published, timeout.Token).ConfigureAwait(false))
                {
                    return;
                }

                var state = (await client.Containers.InspectContainerAsync(id, timeout.Token).ConfigureAwait(false)).State;
                if (state is { Running: false })
                {
                    throw new ServiceFailedException(
                        $"The shared service '{spec.Name}' (image {spec.Image}) stopped (exit code {state.ExitCode}) before it was ready ({readiness}).{await TailAsync(id).ConfigureAwait(false)}");
                }

                await Task.Delay(PollInterval, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServiceFailedException(
                $"The shared service '{spec.Name}' (image {spec.Image}) was not ready ({readiness}) within {spec.ReadyTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s. "
                + $"Check the image and its readiness check, or give it longer (ReadyTimeout).{await TailAsync(id).ConfigureAwait(false)}",
                RetryClass.Retryable);
        }
    }

    private async Task<bool> IsReadyAsync(ServiceReadiness readiness, string id, string address, IReadOnlyDictionary<int, int> published, CancellationToken cancellationToken)
    {
        switch (readiness)
        {
            // Published (a cluster's manager engine): probed where the nodes reach it, since its bridge may be out of this machine's reach.
            case TcpReadiness tcp when publishOn is not null && published.TryGetValue(tcp.Port, out var hostPort):
                return await ConnectsAsync(publishOn, hostPort, cancellationToken).ConfigureAwait(false);
            case TcpReadiness tcp:
                return await ConnectsAsync(address, tcp.Port, cancellationToken).ConfigureAwait(false);
            case LogReadiness log:
                return (await ReadLogsAsync(id, cancellationToken).ConfigureAwait(false)).Contains(log.Text, StringComparison.Ordinal);
            case CommandReadiness command:
                return await ExecSucceedsAsync(id, command.Command, cancellationToken).ConfigureAwait(false);
            default:
                throw new InvalidJobSpecException($"Unknown readiness check {readiness.GetType().Name}.");
        }
    }

    private static async Task<bool> ConnectsAsync(string address, int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(System.Net.IPAddress.Parse(address), port, attempt.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    private async Task<bool> ExecSucceedsAsync(string id, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        try
        {
            var exec = await client.Exec.CreateContainerExecAsync(id, new ContainerExecCreateParameters { Cmd = command.ToList(), AttachStdout = true, AttachStderr = true }, cancellationToken).ConfigureAwait(false);
            using (var stream = await client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), cancellationToken).ConfigureAwait(false))
            {
                await stream.ReadOutputToEndAsync(cancellationToken).ConfigureAwait(false);
            }

            var inspected = await client.Exec.InspectContainerExecAsync(exec.ID, cancellationToken).ConfigureAwait(false);
            return !inspected.Running && inspected.ExitCode == 0;
        }
        catch (DockerApiException)
        {
            return false; // not running (yet), or the command is missing: the loop looks at the container's state
        }
    }

    private async Task<string> ReadLogsAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            using var logs = await client.Containers.GetContainerLogsAsync(id, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, cancellationToken).ConfigureAwait(false);
            var output = new StringBuilder();
            var buffer = new byte[8192];
            while (true)
            {
                var read = await logs.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read.EOF)
                {
                    return output.ToString();
                }

                output.Append(Encoding.UTF8.GetString(buffer, 0, read.Count));
            }
        }
        catch (DockerApiException)
        {
            return string.Empty;
        }
    }

    /// <summary>The service's last lines of output, for a message: " Its last output:\n…" or nothing.</summary>
    private async Task<string> TailAsync(string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string logs;
        try
        {
            logs = await ReadLogsAsync(id, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
        {
            return string.Empty;
        }

        var lines = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 0 ? " It wrote nothing." : $" Its last output:\n{string.Join('\n', lines.TakeLast(LogTailLines))}";
    }
}
