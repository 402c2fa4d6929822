namespace ContainerTest.TestingPlatform;

using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

/// <summary>
/// The rest of ContainerTest — its run, the container runtime, Docker.DotNet, NuGet and vstest's
/// object model it keeps its books in — loaded from <c>.containertest/runtime/</c> beside the test
/// application into a load context of its own, so that none of it meets the application's own
/// copies of the same assemblies. The two sides speak through <c>TestingPlatformRun</c>'s methods,
/// whose signatures hold only the .NET runtime's types.
/// </summary>
internal sealed class ContainerTestRuntime : AssemblyLoadContext
{
    /// <summary>Where the build puts it, relative to the test application.</summary>
    public const string Folder = ".containertest/runtime";

    private const string RunType = "ContainerTest.TestAdapter.TestingPlatform.TestingPlatformRun";

    /// <summary>The assembly that holds the run: named .Core when the VSTest entry is split from it, else the adapter itself.</summary>
    private static readonly string[] CoreNames = ["ContainerTest.TestAdapter.Core", "ContainerTest.TestAdapter"];

    private static readonly Lazy<Type> Run = new(LoadRun, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly string folder;
    private readonly string runtimeFolder = RuntimeEnvironment.GetRuntimeDirectory();

    private ContainerTestRuntime(string folder)
        : base("ContainerTest", isCollectible: false)
    {
        this.folder = folder;
    }

    /// <summary>Where ContainerTest's runtime is looked for.</summary>
    public static string Location => Path.Combine(Path.GetDirectoryName(typeof(ContainerTestRuntime).Assembly.Location) ?? AppContext.BaseDirectory, Folder);

    /// <summary>TestingPlatformRun.Plan: whether tests go to containers, with the messages to show.</summary>
    /// <exception cref="ContainerTestRuntimeException">ContainerTest's runtime is missing or cannot be loaded.</exception>
    public static string Plan(string application) => (string)Invoke("Plan", [application])!;

    /// <summary>TestingPlatformRun.RunAsync: runs the tests, reporting JSON events.</summary>
    /// <exception cref="ContainerTestRuntimeException">ContainerTest's runtime is missing or cannot be loaded.</exception>
    public static Task RunAsync(string application, string[] arguments, string[][] tests, Action<string> report, CancellationToken cancellationToken) =>
        (Task)Invoke("RunAsync", [application, arguments, tests, report, cancellationToken])!;

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { } name)
        {
            return null;
        }

        var candidate = Path.Combine(folder, name + ".dll");
        return File.Exists(candidate) && !RuntimeCarriesAtLeast(name, candidate) ? LoadFromAssemblyPath(candidate) : null;
    }

    private static object? Invoke(string method, object?[] arguments)
    {
        var target = Run.Value.GetMethod(method, BindingFlags.Public | BindingFlags.Static)
            ?? throw new ContainerTestRuntimeException($"ContainerTest: its runtime in '{Location}' has no {RunType}.{method}: the ContainerTest files in the test output come from different versions. Rebuild the test project (dotnet build --no-incremental).");
        try
        {
            return target.Invoke(null, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    private static Type LoadRun()
    {
        var folder = Location;
        var path = CoreNames.Select(n => Path.Combine(folder, n + ".dll")).FirstOrDefault(File.Exists)
            ?? throw new ContainerTestRuntimeException($"ContainerTest: its runtime is missing from '{folder}', where the ContainerTest package's build step puts it. Build the test project again (dotnet build), or set ContainerTest=false.");
        try
        {
            return new ContainerTestRuntime(folder).LoadFromAssemblyPath(path).GetType(RunType, throwOnError: true)!;
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or FileNotFoundException or TypeLoadException)
        {
            throw new ContainerTestRuntimeException($"ContainerTest: cannot load its runtime from '{path}': {ex.Message} Rebuild the test project (dotnet build --no-incremental).", ex);
        }
    }

    /// <summary>True when the .NET runtime carries <paramref name="name"/> at ours' version or newer: one copy, the host's.</summary>
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
