namespace ContainerTest.ContainerRuntime.Layers;

/// <summary>A symbolic link at <paramref name="ContainerPath"/> pointing at <paramref name="Target"/> (absolute or relative).</summary>
public sealed record SymlinkLayer(string ContainerPath, string Target) : Layer
{
    internal override void Validate()
    {
        RequireAbsoluteContainerPath(ContainerPath, "Symlink layer's path");
        if (string.IsNullOrEmpty(Target))
        {
            throw new Errors.InvalidJobSpecException($"Symlink layer '{ContainerPath}' has no target.");
        }
    }
}
