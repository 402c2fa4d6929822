namespace ContainerTest.TestAdapter.Execution;

using System.Runtime.InteropServices;
using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// The test framework's assemblies precompiled by the build (see the build task
/// CompileReadyToRun), laid over the output folder in each test's sandbox or container: the same
/// files, names and identities, with native code the agent then need not JIT-compile.
/// </summary>
internal static class ReadyToRunLayer
{
    /// <summary>
    /// The layer for <paramref name="output"/>, when the build made one (<paramref name="folder"/>,
    /// named <c>linux-&lt;arch&gt;-&lt;hash&gt;</c>) for this machine's architecture and it is still there.
    /// </summary>
    public static IEnumerable<Layer> Over(string output, string? folder)
    {
        var architecture = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
        return folder is not null && Directory.Exists(folder) && Path.GetFileName(folder).StartsWith($"linux-{architecture}-", StringComparison.Ordinal)
            ? [new HostDirectoryLayer(folder, output, LayerAccess.CopyOnWrite)]
            : [];
    }
}
