namespace ContainerTest.TestAdapter.Entry;

using System.Reflection;

/// <summary>
/// ContainerTest's adapter proper (<c>ContainerTest.TestAdapter.Core</c>), loaded once per test
/// host into its <see cref="PrivateLoadContext"/> from the folder beside this assembly.
/// </summary>
internal static class PrivateAdapter
{
    /// <summary>The adapter's assembly name.</summary>
    public const string AssemblyName = "ContainerTest.TestAdapter.Core";

    private static readonly Lazy<Assembly> Core = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A new instance of the adapter's type <paramref name="typeName"/>, seen as <typeparamref name="T"/> (a vstest interface).</summary>
    /// <exception cref="PrivateAdapterException">The adapter is missing or cannot be loaded; the message says where it was looked for and what to do.</exception>
    public static T Create<T>(string typeName)
        where T : class
    {
        var type = Core.Value.GetType(typeName, throwOnError: false)
            ?? throw new PrivateAdapterException($"ContainerTest: {AssemblyName} in {FolderDescription} has no type {typeName}: the ContainerTest files in the test output come from different versions. Rebuild the test project (dotnet build --no-incremental).");
        return Activator.CreateInstance(type) as T
            ?? throw new PrivateAdapterException($"ContainerTest: {typeName} in {FolderDescription} is not a {typeof(T).Name}. Rebuild the test project (dotnet build --no-incremental).");
    }

    private static string Folder => Path.Combine(Path.GetDirectoryName(typeof(PrivateAdapter).Assembly.Location) ?? AppContext.BaseDirectory, PrivateLoadContext.Folder);

    private static string FolderDescription => $"'{Folder}'";

    private static Assembly Load()
    {
        var path = Path.Combine(Folder, AssemblyName + ".dll");
        if (!File.Exists(path))
        {
            throw new PrivateAdapterException($"ContainerTest: its adapter ({AssemblyName}.dll) is missing from {FolderDescription}, where the ContainerTest package's build step copies it. Build the test project again (dotnet build), or remove the stale ContainerTest.TestAdapter.dll from the output folder if the project no longer references ContainerTest.");
        }

        try
        {
            return new PrivateLoadContext(Folder).LoadFromAssemblyPath(path);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or IOException)
        {
            throw new PrivateAdapterException($"ContainerTest: cannot load its adapter from '{path}': {ex.Message} Rebuild the test project (dotnet build --no-incremental).", ex);
        }
    }
}
