namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using System.Globalization;
using System.Net;
using global::Docker.DotNet.Models;

/// <summary>
/// The Swarm services a run puts on the cluster, each one task of the launcher (see
/// ClusterLauncher): a <b>worker</b> service per sandbox worker, placed by Swarm on any node, and
/// one <b>guard</b> per run on a manager. The task runs as root with its node's engine socket
/// mounted (it starts the worker container there, with exactly the options a local worker gets —
/// options a Swarm service of Docker 20.10 cannot carry: a seccomp profile of our own, unmasked
/// kernel paths, no-new-privileges, swap equal to memory), the run's secret as a file, and never
/// restarts: a worker that goes away is replaced by the host, not by Swarm. Everything carries the
/// run's labels, services and containers alike.
/// </summary>
internal static class LauncherServices
{
    /// <summary>The <c>io.containertest.kind</c> of a launcher's own task container.</summary>
    public const string LauncherKind = "cluster-launcher";

    /// <summary>The <c>io.containertest.kind</c> of the guard service.</summary>
    public const string GuardKind = "cluster-guard";

    /// <summary>The run's id on a launcher's task container (see <see cref="TaskLabels"/>).</summary>
    public const string ClusterRunLabel = "io.containertest.cluster-run-id";

    /// <summary>Where the run's secret appears in a launcher.</summary>
    public const string TokenFile = "/run/secrets/containertest-token";

    private const string EngineSocket = "/var/run/docker.sock";

    /// <summary>How long Swarm lets a launcher end its worker when it stops the task.</summary>
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(15);

    /// <summary>Memory for the launcher itself (a small .NET program relaying bytes).</summary>
    private const long LauncherMemoryBytes = 256L * 1024 * 1024;

    /// <summary>The service whose task starts worker <paramref name="jobId"/>.</summary>
    public static ServiceCreateParameters Worker(string jobId, LaunchContext context) =>
        Service(context.ServiceName(jobId), jobId, ContainerLabels.WorkerKind, "worker", context, constraints: null);

    /// <summary>The run's guard: on a manager, which alone may remove services.</summary>
    public static ServiceCreateParameters Guard(LaunchContext context) =>
        Service(context.ServiceName("guard"), "guard", GuardKind, "guard", context, constraints: ["node.role==manager"]);

    /// <summary>
    /// The labels of a launcher's own task container: the service's, but the run's id under
    /// <see cref="ClusterRunLabel"/> instead of <see cref="ContainerLabels.RunId"/>. The run's
    /// reaper on the manager's engine removes every container carrying the run's id when the test
    /// host dies — the guard's task among them, before it could remove the run's services.
    /// </summary>
    private static Dictionary<string, string> TaskLabels(Dictionary<string, string> owner)
    {
        var labels = new Dictionary<string, string>(owner) { [ContainerLabels.Kind] = LauncherKind };
        labels[ClusterRunLabel] = labels[ContainerLabels.RunId];
        labels.Remove(ContainerLabels.RunId);
        return labels;
    }

    private static ServiceCreateParameters Service(string name, string session, string kind, string mode, LaunchContext context, IList<string>? constraints)
    {
        var owner = new Dictionary<string, string>
        {
            [ContainerLabels.Managed] = "true",
            [ContainerLabels.RunId] = context.RunId,
            [ContainerLabels.JobId] = session,
            [ContainerLabels.OwnerProcessId] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            [ContainerLabels.OwnerHost] = Environment.MachineName,
        };
        return new ServiceCreateParameters
        {
            Service = new ServiceSpec
            {
                Name = name,
                Labels = new Dictionary<string, string>(owner) { [ContainerLabels.Kind] = kind },
                TaskTemplate = new TaskSpec
                {
                    ContainerSpec = new ContainerSpec
                    {
                        Image = context.Image,
                        Command = [context.DotnetHost, "exec", LauncherAssets.Launcher, mode],
                        Env =
                        [
                            $"CONTAINERTEST_CLUSTER_HOST={context.Host}",
                            $"CONTAINERTEST_CLUSTER_SESSION={session}",
                            $"CONTAINERTEST_CLUSTER_TOKEN_FILE={TokenFile}",
                            $"CONTAINERTEST_RUN_ID={context.RunId}",
                            "CONTAINERTEST_NODE={{.Node.Hostname}}",
                            "CONTAINERTEST_CLUSTER_SERVICE={{.Service.ID}}",
                            "DOTNET_gcServer=0",
                        ],
                        User = "0:0",
                        Dir = "/",
                        Labels = TaskLabels(owner),
                        Mounts = [new Mount { Type = "bind", Source = EngineSocket, Target = EngineSocket }],
                        Secrets =
                        [
                            new SecretReference
                            {
                                SecretID = context.SecretId,
                                SecretName = context.SecretName,
                                File = new SecretReferenceFileTarget { Name = Path.GetFileName(TokenFile), UID = "0", GID = "0", Mode = 0x100 /* 0400 */ },
                            },
                        ],
                        StopGracePeriod = StopGracePeriod,
                    },
                    RestartPolicy = new SwarmRestartPolicy { Condition = "none" },
                    Resources = new ResourceRequirements { Limits = new SwarmLimit { MemoryBytes = LauncherMemoryBytes } },
                    Placement = constraints is null ? null : new Placement { Constraints = constraints },
                },
                Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
            },
            RegistryAuth = context.RegistryAuth ?? new AuthConfig(),
        };
    }
}

/// <summary>What every launcher service of one run shares.</summary>
/// <param name="RunId">The run's id (label <see cref="ContainerLabels.RunId"/>).</param>
/// <param name="Image">The worker image, by digest: it holds the launcher too.</param>
/// <param name="DotnetHost">The .NET host inside that image.</param>
/// <param name="Host">Where the launchers dial the test host.</param>
/// <param name="SecretId">The run's Swarm secret.</param>
/// <param name="SecretName">Its name.</param>
/// <param name="RegistryAuth">The login the nodes pull with; null for none.</param>
internal sealed record LaunchContext(string RunId, string Image, string DotnetHost, IPEndPoint Host, string SecretId, string SecretName, AuthConfig? RegistryAuth)
{
    /// <summary>A service's name: the run's, then the session's (Swarm names are at most 63 characters).</summary>
    public string ServiceName(string session)
    {
        var name = $"containertest-{RunId}-{session}";
        return name.Length <= 63 ? name : name[..63];
    }
}
