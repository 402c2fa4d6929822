namespace ContainerTest.MsBuildTasks;

using Microsoft.Build.Framework;

/// <summary>
/// Writes copies of managed assemblies, under their own file names, without their PE debug directory (PE/COFF specification,
/// "The .debug Section"; the optional header's data directory entry 6): no CodeView pointer to a
/// PDB, no embedded portable PDB, no PDB checksum. The code, the metadata and the resources stay
/// byte for byte what they were.
/// </summary>
/// <remarks>
/// Why: ContainerTest's private dependencies (Docker.DotNet and the packages it brings) embed their
/// PDBs. Microsoft's code coverage collector instruments every module it finds symbols for under the
/// test's output folder, ContainerTest's <c>.containertest/runtime/</c> included, so under a user's
/// own run settings that did not exclude that folder its report listed Docker.DotNet beside the
/// user's code. Without symbols the collector leaves a module alone (tried with
/// Microsoft.CodeCoverage 18.11, static and dynamic instrumentation; coverlet too). What is lost: file names and
/// line numbers in those libraries' stack traces, which ContainerTest never shows to a user.
/// Strong-name and Authenticode signatures no longer match the bytes; .NET (Core) verifies neither.
/// </remarks>
public sealed class RemoveDebugDirectory : Microsoft.Build.Utilities.Task
{
    /// <summary>The assemblies to copy (PE files; anything else is an error).</summary>
    [Required]
    public ITaskItem[] Assemblies { get; set; } = [];

    /// <summary>The folder the copies go to, under their own file names.</summary>
    [Required]
    public string Destination { get; set; } = string.Empty;

    /// <inheritdoc />
    public override bool Execute()
    {
        Directory.CreateDirectory(Destination);
        foreach (var assembly in Assemblies)
        {
            var source = assembly.ItemSpec;
            var target = Path.Combine(Destination, Path.GetFileName(source));
            try
            {
                var bytes = File.ReadAllBytes(source);
                DebugDataDirectory.Clear(bytes);
                File.WriteAllBytes(target, bytes);
            }
            catch (Exception e) when (e is BadImageFormatException or IOException or UnauthorizedAccessException)
            {
                Log.LogError($"ContainerTest: cannot write '{target}' as '{source}' without its debug directory: {e.Message}");
                return false;
            }
        }

        return true;
    }
}
