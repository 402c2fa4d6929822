namespace ContainerTest.TestAdapter;

using System.Runtime.CompilerServices;
using System.Runtime.Loader;

/// <summary>
/// ContainerTest's own dependencies (the container runtime, Docker.DotNet, Microsoft.Extensions.*)
/// are not copied into the test output's root, where they would collide with the test project's
/// own copies of the same assemblies; the package puts them in <c>.containertest/runtime/</c>.
/// This finds them there when the test host cannot resolve them otherwise. It runs before any
/// type of this assembly is used.
/// </summary>
internal static class PrivateDependencies
{
    /// <summary>Where the package puts them, relative to the test output.</summary>
    public const string Folder = ".containertest/runtime";

    // CA2255 warns that module initializers are for applications; a plugin loaded into someone
    // else's process is exactly the case that needs one: nothing else runs early enough.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        var folder = Path.Combine(Path.GetDirectoryName(typeof(PrivateDependencies).Assembly.Location) ?? AppContext.BaseDirectory, Folder);
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            var candidate = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };
    }
}
