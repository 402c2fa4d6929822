namespace ContainerTest.Cli.Shell;

using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// The toolbox the build staged in <c>.containertest/toolbox/</c> (a static busybox and its
/// applet list), as layers at <see cref="Folder"/>: the binary and one symlink per applet.
/// </summary>
internal static class ToolboxLayers
{
    /// <summary>Where the tools are inside the container.</summary>
    public const string Folder = "/.containertest/bin";

    public static async Task<IReadOnlyList<Layer>> LoadAsync(string outputDirectory, CancellationToken cancellationToken)
    {
        var staged = Path.Combine(outputDirectory, ".containertest", "toolbox");
        var binary = Path.Combine(staged, "busybox");
        var applets = Path.Combine(staged, "applets");
        if (!File.Exists(binary) || !File.Exists(applets))
        {
            throw new CliException(
                $"The toolbox is not in {staged}: the build stages it there when the ContainerTest package is referenced (from source it needs busybox-static: apt-get install busybox-static). Rebuild the test project.");
        }

        var layers = new List<Layer> { new FileLayer(Folder + "/busybox", await File.ReadAllBytesAsync(binary, cancellationToken).ConfigureAwait(false), FileLayer.ExecutableMode) };
        foreach (var applet in await File.ReadAllLinesAsync(applets, cancellationToken).ConfigureAwait(false))
        {
            var name = applet.Trim();
            if (name.Length > 0 && name != "busybox" && !name.Contains('/', StringComparison.Ordinal))
            {
                layers.Add(new SymlinkLayer(Folder + "/" + name, "busybox"));
            }
        }

        return layers;
    }
}
