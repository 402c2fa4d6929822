namespace ContainerTest.ContainerRuntime.Backends.Docker.AllowList;

using System.Globalization;
using System.Text;
using ContainerTest.ContainerRuntime.Errors;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// One gateway: a container on the engine's default bridge (its way out) that runs the
/// forwarder for some allowed endpoints, and is connected to each job network of its route.
/// Hardened like a job: no capabilities, no privilege gain, an unprivileged user, memory and
/// process limits, no IP forwarding (it relays the allowed ports and routes nothing else).
/// </summary>
internal sealed class GatewayContainer
{
    /// <summary>The value of <see cref="ContainerLabels.Kind"/> on gateway containers.</summary>
    public const string KindLabelValue = "network-gateway";

    private const string UnprivilegedUser = "65534:65534";
    private const long MemoryBytes = 128L * 1024 * 1024;
    private const long Pids = 128;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly IDockerClient client;

    private GatewayContainer(IDockerClient client, string id, string name)
    {
        this.client = client;
        Id = id;
        Name = name;
    }

    /// <summary>The container's id.</summary>
    public string Id { get; }

    /// <summary>The container's name (<c>containertest-gateway-…</c>).</summary>
    public string Name { get; }

    /// <summary>Creates and starts a gateway forwarding <paramref name="rules"/>, and waits until it listens.</summary>
    /// <exception cref="ContainerRuntimeException">The engine refused the container, or the forwarder did not come up.</exception>
    public static async Task<GatewayContainer> StartAsync(
        IDockerClient client, string image, string runId, IReadOnlyList<string> rules, CreatedResources resources, CancellationToken cancellationToken)
    {
        var name = "containertest-gateway-" + Guid.NewGuid().ToString("N")[..12];
        var (entrypoint, command) = GatewayProgram.CommandLine(rules);
        var parameters = Parameters(image, entrypoint, command, new Dictionary<string, string>
        {
            [ContainerLabels.Managed] = "true",
            [ContainerLabels.RunId] = runId,
            [ContainerLabels.Kind] = KindLabelValue,
            [ContainerLabels.OwnerProcessId] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
        });
        parameters.Name = name;

        CreateContainerResponse created;
        try
        {
            created = await client.Containers.CreateContainerAsync(parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex is not DockerImageNotFoundException)
        {
            throw new ContainerRuntimeException(
                $"The Docker Engine refused to create the network gateway for the allow network policy: {DockerJobRun.ApiMessage(ex)}",
                RetryClass.Unknown,
                ex);
        }

        resources.AddContainer(created.ID);
        var gateway = new GatewayContainer(client, created.ID, name);
        try
        {
            var archive = await GatewayProgram.ArchiveAsync(cancellationToken).ConfigureAwait(false);
            await using (archive.ConfigureAwait(false))
            {
                await client.Containers.ExtractArchiveToContainerAsync(created.ID, new CopyToContainerParameters { Path = "/" }, archive, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                throw new ContainerRuntimeException(
                    $"The network gateway {name} did not start: {DockerJobRun.ApiMessage(ex).TrimEnd('.')}. {NeedsDotnet(image)}",
                    RetryClass.NotRetryable,
                    ex);
            }

            await gateway.WaitUntilReadyAsync(image, cancellationToken).ConfigureAwait(false);
            return gateway;
        }
        catch
        {
            await ResourceRemoval.RemoveContainerAsync(client, created.ID, resources).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The create request of a gateway running <paramref name="entrypoint"/> <paramref name="command"/>
    /// on <paramref name="image"/>: on the engine's default bridge, hardened like a job.
    /// </summary>
    public static CreateContainerParameters Parameters(string image, IList<string> entrypoint, IList<string> command, IDictionary<string, string> labels) => new()
    {
        Image = image,
        Entrypoint = entrypoint,
        Cmd = command,
        User = UnprivilegedUser,
        Env = ["DOTNET_EnableDiagnostics=0", "DOTNET_CLI_TELEMETRY_OPTOUT=1", "DOTNET_NOLOGO=1"],
        Labels = labels,
        HostConfig = new HostConfig
        {
            NetworkMode = "bridge",
            // The engine's own mapping to the host (the default bridge's gateway address).
            ExtraHosts = [AllowListEntries.HostGatewayName + ":host-gateway"],
            CapDrop = ["ALL"],
            SecurityOpt = ["no-new-privileges"],
            Memory = MemoryBytes,
            MemorySwap = MemoryBytes,
            PidsLimit = Pids,
            Sysctls = new Dictionary<string, string>
            {
                // Relay only what the forwarder accepts; never route a job's packets onwards.
                ["net.ipv4.ip_forward"] = "0",
                // An unprivileged forwarder may listen on allowed ports below 1024.
                ["net.ipv4.ip_unprivileged_port_start"] = "0",
            },
        },
    };

    /// <summary>Connects the gateway to <paramref name="networkName"/> and returns its IPv4 address there.</summary>
    public async Task<string> ConnectAsync(string networkName, CancellationToken cancellationToken)
    {
        await client.Networks.ConnectNetworkAsync(networkName, new NetworkConnectParameters { Container = Id }, cancellationToken).ConfigureAwait(false);
        var inspected = await client.Containers.InspectContainerAsync(Id, cancellationToken).ConfigureAwait(false);
        if (inspected.NetworkSettings?.Networks is { } networks
            && networks.TryGetValue(networkName, out var endpoint)
            && !string.IsNullOrEmpty(endpoint.IPAddress))
        {
            return endpoint.IPAddress;
        }

        throw new ContainerRuntimeException(
            $"The network gateway {Name} was connected to {networkName} but has no IPv4 address there.",
            RetryClass.Unknown);
    }

    private async Task WaitUntilReadyAsync(string image, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadyTimeout);
        var output = new StringBuilder();
        try
        {
            using var logs = await client.Containers.GetContainerLogsAsync(
                Id,
                new ContainerLogsParameters { Follow = true, ShowStdout = true, ShowStderr = true },
                timeout.Token).ConfigureAwait(false);
            var buffer = new byte[4096];
            while (true)
            {
                var read = await logs.ReadOutputAsync(buffer, 0, buffer.Length, timeout.Token).ConfigureAwait(false);
                if (read.EOF)
                {
                    break; // the forwarder exited
                }

                output.Append(Encoding.UTF8.GetString(buffer, 0, read.Count));
                if (output.ToString().Contains(GatewayProgram.ReadyLine, StringComparison.Ordinal))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ContainerRuntimeException(
                $"The network gateway {Name} (image {image}) did not report ready within {ReadyTimeout.TotalSeconds:0} s. Its output: {Describe(output)}",
                RetryClass.Retryable);
        }

        throw new ContainerRuntimeException(
            $"The network gateway {Name} stopped before it was ready. {NeedsDotnet(image)} Its output: {Describe(output)}",
            RetryClass.NotRetryable);
    }

    private static string NeedsDotnet(string image) =>
        $"The gateway runs a small .NET program: its image ({image}) needs `dotnet` (.NET 8 or newer) on its PATH; set DockerBackendOptions.GatewayImage to such an image.";

    private static string Describe(StringBuilder output) => output.Length == 0 ? "(none)" : output.ToString().Trim();
}
