namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Runtime.Versioning;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// The two static programs of ours a VM needs, embedded in this assembly at build time
/// (nuget/native/build.sh compiles them from nuget/native/vm/): the init that is PID 1 of every VM,
/// and the launcher that ties each QEMU process to the test host's life. They are written once per
/// machine to the runtime cache, in a folder named by their content hash.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed record VmAssets(string Init, string Launcher)
{
    private static readonly Lazy<VmAssets?> Cached = new(Extract);

    /// <summary>The programs, or null when this build of ContainerTest lacks them.</summary>
    public static VmAssets? Find() => Cached.Value;

    /// <summary>The programs.</summary>
    /// <exception cref="BackendUnavailableException">This build of ContainerTest carries them not.</exception>
    public static VmAssets Require() => Find() ?? throw new BackendUnavailableException(
        "This build of ContainerTest carries no VM init (containertest-vminit): it was built without nuget/native/build.sh having run. Build ContainerTest with ./build.sh pack (or run nuget/native/build.sh before building).",
        RetryClass.NotRetryable);

    private static VmAssets? Extract() =>
        Layers.EmbeddedFiles.Extract("qemu/", [("containertest-vminit", Layers.FileLayer.ExecutableMode), ("containertest-vmlaunch", Layers.FileLayer.ExecutableMode)], "qemu", "bin-") is { } folder
            ? new VmAssets(Path.Combine(folder, "containertest-vminit"), Path.Combine(folder, "containertest-vmlaunch"))
            : null;
}
