namespace ContainerTest.TestAdapter.Entry;

using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

/// <summary>
/// The load context ContainerTest's adapter and every assembly it depends on live in, inside the
/// test host: each is loaded from ContainerTest's own folder (<see cref="Folder"/>), never from the
/// test project's output, so the test project may reference any version of the same assemblies
/// (Docker.DotNet through Testcontainers, Microsoft.Extensions.*, Newtonsoft.Json…) and both
/// copies live side by side. Two kinds of assembly are not ours to choose and come from the
/// test host's own context instead: vstest's object model (the test cases, results and
/// handles that cross between vstest and us must be vstest's own types), and the .NET runtime's
/// assemblies where the runtime carries a version at least as new as ours.
/// </summary>
internal sealed class PrivateLoadContext : AssemblyLoadContext
{
    /// <summary>Where the package (and a build from source) puts the adapter and its dependencies, relative to the test output.</summary>
    public const string Folder = ".containertest/runtime";

    /// <summary>Assemblies that must be the test host's: vstest's object model and what it is made of.</summary>
    private static readonly HashSet<string> SharedWithTestHost = new(StringComparer.OrdinalIgnoreCase)
    {
        "Microsoft.VisualStudio.TestPlatform.ObjectModel",
        "Microsoft.TestPlatform.CoreUtilities",
        "Microsoft.TestPlatform.PlatformAbstractions",
        "Microsoft.TestPlatform.AdapterUtilities",
    };

    private readonly string folder;
    private readonly string runtimeFolder = RuntimeEnvironment.GetRuntimeDirectory();

    /// <summary>A context that loads from <paramref name="folder"/>.</summary>
    public PrivateLoadContext(string folder)
        : base("ContainerTest", isCollectible: false)
    {
        this.folder = folder;
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { } name || SharedWithTestHost.Contains(name))
        {
            return null;
        }

        var candidate = Path.Combine(folder, name + ".dll");
        if (!File.Exists(candidate) || RuntimeCarriesAtLeast(name, candidate))
        {
            return null; // the test host's context: the .NET runtime's own assemblies
        }

        return LoadFromAssemblyPath(candidate);
    }

    /// <summary>
    /// True when the .NET runtime itself carries <paramref name="name"/> at the version of ours or
    /// newer (System.IO.Pipelines, System.Formats.Asn1 on newer runtimes): one copy of a runtime
    /// assembly, as the host would choose it, rather than an older one of our own beside it.
    /// </summary>
    private bool RuntimeCarriesAtLeast(string name, string ours)
    {
        var runtimeCopy = Path.Combine(runtimeFolder, name + ".dll");
        if (!File.Exists(runtimeCopy))
        {
            return false;
        }

        try
        {
            return AssemblyName.GetAssemblyName(runtimeCopy).Version >= AssemblyName.GetAssemblyName(ours).Version;
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException)
        {
            return false;
        }
    }
}
