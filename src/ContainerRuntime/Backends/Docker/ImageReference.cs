namespace ContainerTest.ContainerRuntime.Backends.Docker;

/// <summary>The parts of an image reference that pulling needs: the registry host and whether a tag or digest is given.</summary>
internal sealed record ImageReference(string Original, string? RegistryHost, bool HasTagOrDigest)
{
    /// <summary>The reference with <c>:latest</c> added when it names neither tag nor digest (the engine would otherwise pull every tag).</summary>
    public string Pullable => HasTagOrDigest ? Original : Original + ":latest";

    public static ImageReference Parse(string reference)
    {
        var firstSlash = reference.IndexOf('/', StringComparison.Ordinal);
        string? registry = null;
        if (firstSlash > 0)
        {
            var first = reference[..firstSlash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                registry = first;
            }
        }

        var lastComponent = reference[(reference.LastIndexOf('/') + 1)..];
        var hasTagOrDigest = lastComponent.Contains(':', StringComparison.Ordinal) || reference.Contains('@', StringComparison.Ordinal);
        return new ImageReference(reference, registry, hasTagOrDigest);
    }
}
