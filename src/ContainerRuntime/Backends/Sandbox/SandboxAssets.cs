namespace ContainerTest.ContainerRuntime.Backends.Sandbox;

using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// What a worker container needs beside its image: the supervisor (project SandboxSupervisor, a
/// framework-dependent .NET program) and bubblewrap (static, built from Debian's sources by
/// nuget/native/build.sh), both embedded in this assembly at build time — nothing to stage beside
/// it. They are written once per machine to the runtime cache (a folder named by their content
/// hash) and every worker sees that folder read-only, so starting a worker copies nothing.
/// </summary>
internal static class SandboxAssets
{
    /// <summary>Where they are inside a worker.</summary>
    public const string Directory = "/.containertest/sandbox";

    /// <summary>The supervisor's assembly inside a worker.</summary>
    public const string Supervisor = Directory + "/ContainerTest.SandboxSupervisor.dll";

    /// <summary>A tmpfs of the worker for each job's small files (its /etc/hostname and /etc/hosts).</summary>
    public const string Scratch = "/.containertest/scratch";

    private static readonly (string Name, int Mode)[] Files =
    [
        ("ContainerTest.SandboxSupervisor.dll", FileLayer.ReadableMode),
        ("ContainerTest.SandboxSupervisor.runtimeconfig.json", FileLayer.ReadableMode),
        ("bwrap", FileLayer.ExecutableMode),
    ];

    private static readonly Lazy<HostDirectoryLayer?> Cached = new(Extract);

    /// <summary>The folder as a read-only layer of a worker; null when this build of ContainerTest lacks one of the files.</summary>
    /// <exception cref="IOException">The runtime cache cannot be written.</exception>
    public static HostDirectoryLayer? Layer => Cached.Value;

    /// <summary>Why <see cref="Layer"/> is null, for the message that says sandboxes cannot be had.</summary>
    public static string Missing =>
        "this build of ContainerTest carries no sandbox helper (bubblewrap): it was built without nuget/native/build.sh having run. "
        + "Build ContainerTest with ./build.sh pack (or run nuget/native/build.sh before building).";

    private static HostDirectoryLayer? Extract() =>
        EmbeddedFiles.Extract("sandbox/", Files, "sandbox") is { } folder ? new HostDirectoryLayer(folder, Directory) : null;
}
