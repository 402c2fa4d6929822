namespace ContainerTest.TestAdapter.Coverage;

using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using ContainerTest.Protocol;

/// <summary>
/// Whether coverlet instrumented the modules of a test's output folder for this run, whichever
/// coverlet did it: the collector (<c>--collect "XPlat Code Coverage"</c>), coverlet.msbuild
/// (<c>/p:CollectCoverage=true</c>, which instruments before vstest starts and names no collector in
/// the run settings) or the console. Each instrumented module carries a tracker class in namespace
/// <see cref="CoverletHits.TrackerNamespace"/>. Only modules with a symbols file beside them
/// are looked at: coverlet leaves the others alone by default.
/// </summary>
internal static class CoverletInstrumentation
{
    /// <summary>True when a module of <paramref name="outputFolder"/> (not its subfolders) carries coverlet's tracker; false when none does or the folder cannot be read.</summary>
    public static bool IsIn(string outputFolder)
    {
        try
        {
            return Directory.EnumerateFiles(outputFolder, "*.dll").Any(m => File.Exists(Path.ChangeExtension(m, ".pdb")) && CarriesTracker(m));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool CarriesTracker(string module)
    {
        try
        {
            using var file = File.OpenRead(module);
            using var pe = new PEReader(file);
            if (!pe.HasMetadata)
            {
                return false;
            }

            var metadata = pe.GetMetadataReader();
            return metadata.TypeDefinitions.Any(t => metadata.StringComparer.Equals(metadata.GetTypeDefinition(t).Namespace, CoverletHits.TrackerNamespace));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            return false;
        }
    }
}
