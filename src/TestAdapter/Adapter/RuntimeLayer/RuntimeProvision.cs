namespace ContainerTest.TestAdapter.RuntimeLayer;

using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// Where a test container gets its .NET runtime: the image's own (the default), or a dotnet root
/// assembled on the host from NuGet runtime packs and mounted read-only at <see cref="ContainerRoot"/>.
/// </summary>
internal sealed record RuntimeProvision(string? HostDotnetRoot, bool InvariantGlobalization)
{
    /// <summary>Where the runtime layer sits in the container.</summary>
    public const string ContainerRoot = "/.containertest/dotnet";

    /// <summary>The image's own runtime, found as <c>dotnet</c> on its PATH.</summary>
    public static RuntimeProvision Image { get; } = new(null, InvariantGlobalization: false);

    /// <summary>The dotnet host to start the agent with.</summary>
    public string DotnetCommand => HostDotnetRoot is null ? "dotnet" : ContainerRoot + "/dotnet";

    /// <summary>The layers this adds to a test's job.</summary>
    public IEnumerable<Layer> Layers => HostDotnetRoot is null ? [] : [new HostDirectoryLayer(HostDotnetRoot, ContainerRoot)];

    /// <summary>Adds the environment the runtime layer needs (a variable the test's settings already set wins).</summary>
    public void AddEnvironment(IDictionary<string, string> environment)
    {
        if (HostDotnetRoot is not null)
        {
            environment.TryAdd("DOTNET_ROOT", ContainerRoot);
        }

        if (InvariantGlobalization)
        {
            environment.TryAdd("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1");
        }
    }
}
