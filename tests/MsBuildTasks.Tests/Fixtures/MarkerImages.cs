namespace ContainerTest.MsBuildTasks.Tests.Fixtures;

using System.Diagnostics;
using ContainerTest.ContainerRuntime.Backends.Docker;

/// <summary>
/// Local images that differ only by <c>/marker.txt</c>, built on the host image (which has the .NET
/// runtime the tests need) with <c>docker build</c>; removed again on disposal.
/// </summary>
internal sealed class MarkerImages : IAsyncDisposable
{
    private readonly string tag = Guid.NewGuid().ToString("N")[..12];
    private readonly List<string> built = [];

    /// <summary>Builds (once per marker) and returns the local image whose /marker.txt holds <paramref name="marker"/>.</summary>
    /// <param name="marker">The marker file's text (also names the image).</param>
    /// <param name="cancellationToken">Stops building.</param>
    /// <param name="runnable">On the host image, to run tests in; otherwise on nothing (a few bytes, to push and resolve only).</param>
    public async Task<string> WithMarkerAsync(string marker, CancellationToken cancellationToken, bool runnable = true)
    {
        var name = $"containertest-test/pin-marker-{marker.ToLowerInvariant()}{(runnable ? string.Empty : "-scratch")}:{tag}";
        if (built.Contains(name))
        {
            return name;
        }

        var baseImage = "scratch";
        if (runnable)
        {
            await using var backend = await DockerBackend.ConnectAsync(cancellationToken: cancellationToken);
            baseImage = await backend.EnsureHostImageAsync(cancellationToken);
        }

        var context = Directory.CreateTempSubdirectory("containertest-marker-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(context, "marker.txt"), marker, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), $"FROM {baseImage}\nCOPY marker.txt /marker.txt\n", cancellationToken);
            await DockerAsync(cancellationToken, "build", "-q", "-t", name, context);
            built.Add(name);
            return name;
        }
        finally
        {
            Directory.Delete(context, recursive: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in built)
        {
            await DockerAsync(CancellationToken.None, "rmi", name);
        }
    }

    private static async Task DockerAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
