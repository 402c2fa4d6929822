namespace ContainerTest.TestAdapter.RuntimeLayer;

using System.Runtime.InteropServices;

/// <summary>
/// The <c>dotnet</c> host (the muxer) the runtime layer starts the agent with. No NuGet package
/// carries it, so it is the host's own — the one running <c>dotnet test</c> right now, which is
/// a Linux executable only on a Linux host.
/// </summary>
internal static class DotnetHostLocator
{
    public static string Locate()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new RuntimeLayerException($"the runtime layer takes its dotnet host from this machine, which works on Linux hosts only (this is {RuntimeInformation.OSDescription}). Use an image that has the .NET runtime, for example mcr.microsoft.com/dotnet/runtime.");
        }

        string?[] candidates =
        [
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Path.GetFileName(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : null,
            Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet")),
        ];
        return candidates.FirstOrDefault(c => c is { Length: > 0 } && File.Exists(c))
            ?? throw new RuntimeLayerException("the runtime layer needs this machine's dotnet host, and it was not found (DOTNET_HOST_PATH is unset and no dotnet beside the running runtime). Use an image that has the .NET runtime.");
    }
}
