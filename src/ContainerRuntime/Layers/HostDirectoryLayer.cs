namespace ContainerTest.ContainerRuntime.Layers;

/// <summary>A directory of the host, seen at <paramref name="ContainerPath"/> inside the job.</summary>
/// <param name="HostPath">Absolute path of the directory on the host.</param>
/// <param name="ContainerPath">Absolute path where the job sees it.</param>
/// <param name="Access">Read-only, or a writable copy-on-write view private to the job.</param>
public sealed record HostDirectoryLayer(string HostPath, string ContainerPath, LayerAccess Access = LayerAccess.ReadOnly) : Layer
{
    internal override void Validate()
    {
        if (!Path.IsPathFullyQualified(HostPath))
        {
            throw new Errors.InvalidJobSpecException($"Host directory layer: '{HostPath}' is not an absolute host path.");
        }

        if (!Directory.Exists(HostPath))
        {
            throw new Errors.InvalidJobSpecException($"Host directory layer: '{HostPath}' does not exist on this machine.");
        }

        RequireAbsoluteContainerPath(ContainerPath, "Host directory layer's container path");
    }
}
