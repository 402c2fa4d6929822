namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

/// <summary>
/// Whether a job's user can use an engine's socket, and with which group: connecting needs write
/// permission on the socket, which the engine gives its group (Docker's own service: group docker,
/// mode 660), so a job gets the socket's group as a supplementary one. Read with statx(2) on the
/// machine that has the socket: the test host for its own engine, a cluster launcher for its
/// node's (this file is compiled into both).
/// </summary>
internal static class EngineSocketAccess
{
    private const int AtFdCwd = -100;
    private const uint StatxTypeModeUidGid = 0x1 | 0x2 | 0x8 | 0x10;

    /// <summary>The socket's group, or why a job running as <paramref name="jobUid"/> could not use the socket at <paramref name="path"/>.</summary>
    public static (uint GroupId, string? Refusal) Examine(string path, uint jobUid)
    {
        var buffer = new byte[256];
        if (Statx(AtFdCwd, [.. Encoding.UTF8.GetBytes(path), 0], 0, StatxTypeModeUidGid, buffer) != 0)
        {
            return (0, string.Create(CultureInfo.InvariantCulture, $"The engine's socket {path} cannot be examined (errno {Marshal.GetLastPInvokeError()}), so it cannot be handed to a job."));
        }

        // struct statx's fields are in the machine's order, and the backends run on little-endian machines (x86-64, arm64).
        var ownerId = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(20));
        var groupId = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(24));
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        var groupMayUse = (mode & 0x30) == 0x30; // read and write for the group
        var othersMayUse = (mode & 0x6) == 0x6;
        if (jobUid != 0 && jobUid != ownerId && !groupMayUse && !othersMayUse)
        {
            var owner = ownerId.ToString(CultureInfo.InvariantCulture);
            var job = jobUid.ToString(CultureInfo.InvariantCulture);
            return (groupId, $"The engine's socket {path} may be used by its owner (uid {owner}) only (mode {Convert.ToString(mode & 0x1FF, 8)}), and the job runs as uid {job}: it could not reach the engine. "
                + "Give the socket's group read and write access (as Docker's own service does: group docker, mode 660), or run the job as the socket's owner.");
        }

        return (groupId, null);
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int directory, byte[] path, int flags, uint mask, byte[] buffer);
}
