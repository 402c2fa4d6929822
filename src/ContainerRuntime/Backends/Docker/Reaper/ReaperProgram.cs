namespace ContainerTest.ContainerRuntime.Backends.Docker.Reaper;

using System.Formats.Tar;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// The reaper (project Reaper), embedded in this assembly at build time and copied into each
/// reaper container before it starts — nothing to deploy beside this assembly, and it works with
/// a remote engine too. It runs on the container image's own .NET runtime (it targets net8.0 and
/// rolls forward to the newest major version present).
/// </summary>
internal static class ReaperProgram
{
    /// <summary>The folder inside the reaper container that holds the program.</summary>
    public const string Directory = "/containertest-reaper";

    private const string AssemblyName = "ContainerTest.Reaper.dll";
    private const string RuntimeConfigName = "ContainerTest.Reaper.runtimeconfig.json";

    /// <summary>The entrypoint and arguments that run the reaper of <paramref name="runId"/>.</summary>
    public static (IList<string> Entrypoint, IList<string> Command) CommandLine(string runId) =>
        (["dotnet"], [Directory + "/" + AssemblyName, runId]);

    /// <summary>A tar archive, to extract at <c>/</c>, holding the program and its runtime configuration.</summary>
    /// <exception cref="ContainerRuntimeException">This build of ContainerTest lacks the embedded program.</exception>
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
                var resource = typeof(ReaperProgram).Assembly.GetManifestResourceStream("reaper/" + name)
                    ?? throw new ContainerRuntimeException(
                        $"This build of ContainerTest lacks the embedded reaper ({name}). Rebuild src/ContainerRuntime.",
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
