namespace ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// Files added on top of a job's image. A backend materializes each kind as it can (a bind
/// mount, files copied into the container before it starts, a cached image layer) and says
/// which kinds it supports through its capabilities.
/// </summary>
public abstract record Layer
{
    /// <summary>Checks the layer describes something possible; throws <see cref="Errors.InvalidJobSpecException"/> if not.</summary>
    internal abstract void Validate();

    /// <summary>Throws unless <paramref name="path"/> is an absolute POSIX path.</summary>
    protected static void RequireAbsoluteContainerPath(string path, string what)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            throw new Errors.InvalidJobSpecException($"{what} must be an absolute path inside the container (starting with '/'), not '{path}'.");
        }
    }
}
