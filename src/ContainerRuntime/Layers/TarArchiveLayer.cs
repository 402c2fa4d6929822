namespace ContainerTest.ContainerRuntime.Layers;

/// <summary>A tar archive (uncompressed or gzip) extracted at <paramref name="ContainerPath"/>.</summary>
public sealed record TarArchiveLayer(string ArchivePath, string ContainerPath = "/") : Layer
{
    internal override void Validate()
    {
        if (!File.Exists(ArchivePath))
        {
            throw new Errors.InvalidJobSpecException($"Tar layer: archive '{ArchivePath}' does not exist.");
        }

        RequireAbsoluteContainerPath(ContainerPath, "Tar layer's container path");
    }
}
