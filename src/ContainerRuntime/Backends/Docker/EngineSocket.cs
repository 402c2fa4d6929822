namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using global::Docker.DotNet.Models;

/// <summary>
/// The engine's own API socket, as a job with <see cref="EngineSocketMount"/> gets it: bind-mounted
/// from the engine's host, with the socket's group added to the job's user so that a non-root uid
/// may connect (connecting needs write permission on the socket, which the engine gives its group).
/// </summary>
/// <param name="HostPath">The socket's path on the engine's host (the endpoint's path).</param>
/// <param name="GroupId">The socket's group.</param>
internal sealed record EngineSocket(string HostPath, uint GroupId)
{
    private const int AtFdCwd = -100;
    private const uint StatxTypeModeUidGid = 0x1 | 0x2 | 0x8 | 0x10;

    /// <summary>Whether a job can be given the socket at <paramref name="endpoint"/>: a local Unix socket.</summary>
    public static bool IsSupported(Uri endpoint) => endpoint.Scheme == "unix" && OperatingSystem.IsLinux();

    /// <summary>The socket behind <paramref name="endpoint"/>, checked usable by <paramref name="user"/>.</summary>
    /// <exception cref="UnsupportedCapabilityException">The engine is not reached through a local Unix socket.</exception>
    /// <exception cref="InvalidJobSpecException">The socket cannot be read, or only its owner may use it and the job runs as someone else.</exception>
    public static EngineSocket For(Uri endpoint, UserIdentity? user)
    {
        if (!IsSupported(endpoint))
        {
            throw new UnsupportedCapabilityException(
                "docker",
                BackendCapabilities.EngineSocket,
                $"A job cannot be given the engine at {endpoint}: only an engine on a local Unix socket (unix:///var/run/docker.sock) can be handed to a job. Point DOCKER_HOST at the local engine's socket.");
        }

        var path = endpoint.LocalPath;
        var buffer = new byte[256];
        if (Statx(AtFdCwd, [.. Encoding.UTF8.GetBytes(path), 0], 0, StatxTypeModeUidGid, buffer) != 0)
        {
            throw new InvalidJobSpecException($"The engine's socket {path} cannot be examined (errno {Marshal.GetLastPInvokeError()}), so it cannot be handed to a job.");
        }

        var ownerId = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(20));
        var groupId = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(24));
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        var jobUid = (uint)(user?.Uid ?? 0);
        var groupMayUse = (mode & 0x30) == 0x30; // read and write for the group
        var othersMayUse = (mode & 0x6) == 0x6;
        if (jobUid != 0 && jobUid != ownerId && !groupMayUse && !othersMayUse)
        {
            throw new InvalidJobSpecException(
                $"The engine's socket {path} may be used by its owner (uid {ownerId}) only (mode {Convert.ToString(mode & 0x1FF, 8)}), and the job runs as uid {jobUid}: it could not reach the engine. "
                + "Give the socket's group read and write access (as Docker's own service does: group docker, mode 660), or run the job as the socket's owner.");
        }

        return new EngineSocket(path, groupId);
    }

    /// <summary>The bind mount that puts the socket at <paramref name="containerPath"/>.</summary>
    public Mount MountAt(string containerPath) => new() { Type = "bind", Source = HostPath, Target = containerPath };

    // Little-endian reads above: struct statx's fields are in the machine's order, and the
    // backends run on little-endian machines (x86-64, arm64).
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int directory, byte[] path, int flags, uint mask, byte[] buffer);
}
