namespace ContainerTest.ContainerRuntime.Backends.Sandbox;

using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// What a worker container needs beside its image: the supervisor (project SandboxSupervisor, a
/// framework-dependent .NET program) and bubblewrap (static, built from Debian's sources by
/// nuget/native/build.sh), both embedded in this assembly at build time and copied into every
/// worker before it starts. Nothing to stage beside this assembly, and a remote engine works too.
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

    private static readonly Lazy<IReadOnlyList<Layer>?> Embedded = new(Load);

    /// <summary>The files as layers of a worker; null when this build of ContainerTest lacks one of them.</summary>
    public static IReadOnlyList<Layer>? Layers => Embedded.Value;

    /// <summary>Why <see cref="Layers"/> is null, for the message that says sandboxes cannot be had.</summary>
    public static string Missing =>
        "this build of ContainerTest carries no sandbox helper (bubblewrap): it was built without nuget/native/build.sh having run. "
        + "Build ContainerTest with ./build.sh pack (or run nuget/native/build.sh before building).";

    private static List<Layer>? Load()
    {
        var layers = new List<Layer>();
        foreach (var (name, mode) in Files)
        {
            using var resource = typeof(SandboxAssets).Assembly.GetManifestResourceStream("sandbox/" + name);
            if (resource is null)
            {
                return null;
            }

            using var bytes = new MemoryStream();
            resource.CopyTo(bytes);
            layers.Add(new FileLayer(Directory + "/" + name, bytes.ToArray(), mode));
        }

        return layers;
    }
}
