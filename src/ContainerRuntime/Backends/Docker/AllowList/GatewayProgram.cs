namespace ContainerTest.ContainerRuntime.Backends.Docker.AllowList;

using System.Formats.Tar;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// The gateway's forwarder (project NetworkGateway), embedded in this assembly at build time and
/// copied into each gateway container before it starts — nothing to deploy beside this
/// assembly, and it works with a remote engine too. It runs on the gateway image's own .NET
/// runtime (it targets net8.0 and rolls forward to the newest major version present).
/// </summary>
internal static class GatewayProgram
{
    /// <summary>The folder inside the gateway container that holds the program.</summary>
    public const string Directory = "/containertest-gateway";

    /// <summary>What the program prints once it listens on every port (see NetworkGateway/Program.cs).</summary>
    public const string ReadyLine = "containertest-gateway ready";

    /// <summary>The first argument that makes the program end when its stdin closes (see NetworkGateway/Program.cs).</summary>
    public const string UntilStdinClosesArgument = "--until-stdin-closes";

    private const string AssemblyName = "ContainerTest.NetworkGateway.dll";
    private const string RuntimeConfigName = "ContainerTest.NetworkGateway.runtimeconfig.json";

    /// <summary>The entrypoint and arguments that run the program with <paramref name="rules"/>.</summary>
    public static (IList<string> Entrypoint, IList<string> Command) CommandLine(IEnumerable<string> rules) =>
        (["dotnet"], [Directory + "/" + AssemblyName, .. rules]);

    /// <summary>A tar archive, to extract at <c>/</c>, holding the program and its runtime configuration.</summary>
    public static async Task<MemoryStream> ArchiveAsync(CancellationToken cancellationToken)
    {
        var archive = new MemoryStream();
        var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            const UnixFileMode Directory755 = (UnixFileMode)0b111_101_101;
            const UnixFileMode File644 = (UnixFileMode)0b110_100_100;
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, Directory.TrimStart('/') + "/") { Mode = Directory755 }, cancellationToken).ConfigureAwait(false);
            foreach (var name in new[] { AssemblyName, RuntimeConfigName })
            {
                var resource = typeof(GatewayProgram).Assembly.GetManifestResourceStream(name)
                    ?? throw new ContainerRuntimeException(
                        $"This build of ContainerTest lacks the embedded network gateway ({name}); the allow network policy cannot work. Rebuild src/ContainerRuntime.",
                        RetryClass.NotRetryable);
                await using (resource.ConfigureAwait(false))
                {
                    var entry = new PaxTarEntry(TarEntryType.RegularFile, Directory.TrimStart('/') + "/" + name) { Mode = File644, DataStream = resource };
                    await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        archive.Position = 0;
        return archive;
    }
}
