namespace ContainerTest.ClusterLauncher;

using System.Globalization;
using System.Text.Json.Nodes;
using ContainerTest.ContainerRuntime.Backends.Docker;

/// <summary>
/// Docker access on a cluster node: the worker gets this node's own engine socket (the one the
/// launcher's service mounts, at the same path on the node), with the socket's group for its
/// user, as a local worker gets the test host's. A test then reaches the engine of the node it
/// runs on, and the containers it starts there through that node's bridge.
/// </summary>
internal static class NodeEngineSocket
{
    /// <summary>
    /// Adds the socket at each of <paramref name="containerPaths"/> to the worker's
    /// <paramref name="request"/>; returns why it cannot (a socket its owner alone may use), or null.
    /// </summary>
    public static string? Apply(JsonObject request, IReadOnlyList<string> containerPaths)
    {
        if (containerPaths.Count == 0)
        {
            return null;
        }

        var user = request["User"]?.GetValue<string>() ?? string.Empty;
        var uid = uint.TryParse(user.Split(':')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        var (groupId, refusal) = EngineSocketAccess.Examine(EngineApi.SocketPath, uid);
        if (refusal is not null)
        {
            return refusal;
        }

        var hostConfig = request["HostConfig"] as JsonObject ?? [];
        var mounts = hostConfig["Mounts"] as JsonArray ?? [];
        foreach (var path in containerPaths)
        {
            mounts.Add(new JsonObject { ["Type"] = "bind", ["Source"] = EngineApi.SocketPath, ["Target"] = path });
        }

        var groups = hostConfig["GroupAdd"] as JsonArray ?? [];
        groups.Add(groupId.ToString(CultureInfo.InvariantCulture));
        hostConfig["Mounts"] = mounts;
        hostConfig["GroupAdd"] = groups;
        request["HostConfig"] = hostConfig;
        return null;
    }
}
