namespace ContainerTest.Agent;

using System.Reflection;
using System.Runtime.InteropServices;

/// <summary>
/// The assemblies of this process a coverage collector can have instrumented: loaded from a file,
/// and not from the shared framework, which neither coverlet.collector nor Microsoft.CodeCoverage
/// instruments statically.
/// </summary>
internal static class InstrumentableAssemblies
{
    /// <summary>Each such assembly with the types of it that load (a type that fails to load is left out).</summary>
    public static IEnumerable<(Assembly Assembly, Type[] Types)> WithTypes()
    {
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location) || assembly.Location.StartsWith(runtimeDirectory, StringComparison.Ordinal))
            {
                continue;
            }

            Type?[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException ex)
            {
                types = ex.Types;
            }

            yield return (assembly, [.. types.OfType<Type>()]);
        }
    }
}
