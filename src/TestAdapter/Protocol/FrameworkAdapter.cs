namespace ContainerTest.Protocol;

using System.Reflection;
using System.Runtime.Loader;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;

/// <summary>
/// A test framework's own VSTest adapter (MSTest, xUnit, NUnit), loaded from where the build
/// hid it so that vstest does not also run the tests natively. Its discoverer and executor
/// classes are often internal: they are created by reflection, as vstest itself does.
/// </summary>
public sealed class FrameworkAdapter
{
    /// <summary>The folder, beside the test assembly, that holds the hidden framework adapters.</summary>
    public const string HiddenAdapterFolder = ".containertest/adapters";

    /// <summary>The frameworks we support, for messages.</summary>
    public const string SupportedFrameworks = "MSTest (MSTest.TestAdapter 3.x/4.x), xUnit v2 (xunit.runner.visualstudio) and NUnit (NUnit3TestAdapter)";

    private readonly Type? discovererType;
    private readonly Dictionary<string, Type> executorTypes;

    private FrameworkAdapter(string path, Type? discovererType, Dictionary<string, Type> executorTypes, string? defaultExecutorUri)
    {
        AssemblyPath = path;
        this.discovererType = discovererType;
        this.executorTypes = executorTypes;
        DefaultExecutorUri = defaultExecutorUri;
    }

    /// <summary>Where the adapter assembly was loaded from.</summary>
    public string AssemblyPath { get; }

    /// <summary>The executor URI its discoverer gives the test cases it finds.</summary>
    public string? DefaultExecutorUri { get; }

    /// <summary>The executor URIs it provides.</summary>
    public IReadOnlyCollection<string> ExecutorUris => executorTypes.Keys;

    /// <summary>True when it can discover tests.</summary>
    public bool CanDiscover => discovererType is not null;

    /// <summary>The hidden framework adapters beside <paramref name="testAssembly"/> (none when the folder is missing).</summary>
    public static IReadOnlyList<FrameworkAdapter> FindBeside(string testAssembly)
    {
        var folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(testAssembly)) ?? ".", HiddenAdapterFolder);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return Directory.EnumerateFiles(folder, "*.dll")
            .Where(f => f.EndsWith("TestAdapter.dll", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(Load)
            .Where(a => a.executorTypes.Count > 0 || a.CanDiscover)
            .ToList();
    }

    /// <summary>Loads the adapter assembly at <paramref name="path"/> and finds its discoverer and executors.</summary>
    public static FrameworkAdapter Load(string path)
    {
        var assembly = LoadAssembly(path);
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = ex.Types;
        }

        Type? discoverer = null;
        string? defaultUri = null;
        var executors = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in types)
        {
            if (type is null || type.IsAbstract)
            {
                continue;
            }

            if (typeof(ITestDiscoverer).IsAssignableFrom(type) && discoverer is null)
            {
                discoverer = type;
                defaultUri = type.GetCustomAttribute<DefaultExecutorUriAttribute>()?.ExecutorUri;
            }

            if (typeof(ITestExecutor).IsAssignableFrom(type) && type.GetCustomAttribute<ExtensionUriAttribute>()?.ExtensionUri is { } uri)
            {
                executors[uri] = type;
            }
        }

        return new FrameworkAdapter(path, discoverer, executors, defaultUri);
    }

    /// <summary>A new instance of its discoverer.</summary>
    public ITestDiscoverer CreateDiscoverer() =>
        (ITestDiscoverer)Activator.CreateInstance(discovererType ?? throw new InvalidOperationException($"{AssemblyPath} has no test discoverer."), nonPublic: true)!;

    /// <summary>A new instance of the executor for <paramref name="executorUri"/>.</summary>
    public ITestExecutor CreateExecutor(string executorUri) =>
        executorTypes.TryGetValue(executorUri, out var type)
            ? (ITestExecutor)Activator.CreateInstance(type, nonPublic: true)!
            : throw new InvalidOperationException($"{AssemblyPath} has no executor for {executorUri}.");

    /// <summary>
    /// Framework adapters bring assemblies the test's deps.json does not list (NUnit's engine,
    /// copied by its package's build targets). vstest's test host finds them by probing the test
    /// folder; the agent must do the same: look beside the adapter and in the test output folder.
    /// </summary>
    private static void ResolveDependenciesBeside(string adapterPath)
    {
        var adapterFolder = Path.GetDirectoryName(Path.GetFullPath(adapterPath))!;
        string[] folders = [adapterFolder, Path.GetFullPath(Path.Combine(adapterFolder, "..", ".."))];
        lock (ProbedFolders)
        {
            if (!ProbedFolders.Add(adapterFolder))
            {
                return;
            }
        }

        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            foreach (var folder in folders)
            {
                var candidate = Path.Combine(folder, name.Name + ".dll");
                if (File.Exists(candidate))
                {
                    return context.LoadFromAssemblyPath(candidate);
                }
            }

            return null;
        };
    }

    private static readonly HashSet<string> ProbedFolders = new(StringComparer.Ordinal);

    private static Assembly LoadAssembly(string path)
    {
        ResolveDependenciesBeside(path);
        var name = AssemblyName.GetAssemblyName(path);
        foreach (var loaded in AssemblyLoadContext.Default.Assemblies)
        {
            if (AssemblyName.ReferenceMatchesDefinition(loaded.GetName(), name))
            {
                return loaded;
            }
        }

        return AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(path));
    }
}
