namespace ContainerTest.ClusterLauncher;

using System.Net;

/// <summary>
/// What the service gives the launcher, through its environment (set by the host when it creates
/// the service; the node's name and the service's id through Swarm's templates) and the run's
/// secret (a Swarm secret file).
/// </summary>
internal sealed record LauncherEnvironment(IPEndPoint Host, string Session, string Token, string Node, string RunId, string? ServiceId)
{
    /// <summary>The test host's listener, <c>address:port</c>.</summary>
    public const string HostVariable = "CONTAINERTEST_CLUSTER_HOST";

    /// <summary>Which session this launcher serves (the worker's job id, or "guard").</summary>
    public const string SessionVariable = "CONTAINERTEST_CLUSTER_SESSION";

    /// <summary>The file holding the run's secret.</summary>
    public const string TokenFileVariable = "CONTAINERTEST_CLUSTER_TOKEN_FILE";

    /// <summary>The node's host name (Swarm's <c>{{.Node.Hostname}}</c>).</summary>
    public const string NodeVariable = "CONTAINERTEST_NODE";

    /// <summary>The run id every resource of the run is labelled with.</summary>
    public const string RunVariable = "CONTAINERTEST_RUN_ID";

    /// <summary>This launcher's own service (Swarm's <c>{{.Service.ID}}</c>).</summary>
    public const string ServiceVariable = "CONTAINERTEST_CLUSTER_SERVICE";

    /// <summary>Reads them.</summary>
    /// <exception cref="InvalidOperationException">One is missing or malformed; the message names it.</exception>
    public static LauncherEnvironment Read()
    {
        var host = Required(HostVariable);
        if (!IPEndPoint.TryParse(host, out var endpoint) || endpoint.Port == 0)
        {
            throw new InvalidOperationException($"{HostVariable}='{host}' is not an address:port.");
        }

        var tokenFile = Required(TokenFileVariable);
        string token;
        try
        {
            token = File.ReadAllText(tokenFile).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"the run's secret {tokenFile} cannot be read: {ex.Message}", ex);
        }

        return new LauncherEnvironment(
            endpoint,
            Required(SessionVariable),
            token,
            Environment.GetEnvironmentVariable(NodeVariable) is { Length: > 0 } node ? node : Environment.MachineName,
            Required(RunVariable),
            Environment.GetEnvironmentVariable(ServiceVariable));
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"{name} is not set.");
}
