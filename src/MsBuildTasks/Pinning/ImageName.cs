namespace ContainerTest.MsBuildTasks.Pinning;

using System.Text.RegularExpressions;

/// <summary>
/// An image reference split the way Docker splits it: <c>debian</c> is
/// <c>docker.io/library/debian:latest</c>; the first component is a registry when it holds a
/// dot or a colon or is <c>localhost</c>; a tag follows the last colon of the last component,
/// a digest follows <c>@</c>.
/// </summary>
public sealed partial record ImageName(string Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>How Docker names Docker Hub in references.</summary>
    public const string DockerHub = "docker.io";

    /// <summary>The Docker Hub's registry API host.</summary>
    public const string DockerHubApiHost = "registry-1.docker.io";

    /// <summary>The registry host the HTTP API is reached at (Docker Hub's API host for <c>docker.io</c>).</summary>
    public string ApiHost => Registry == DockerHub ? DockerHubApiHost : Registry;

    /// <summary>
    /// Plain HTTP for registries on this machine (<c>localhost</c>, <c>127.0.0.0/8</c>, <c>::1</c>), as the
    /// Docker Engine allows without configuration; HTTPS everywhere else.
    /// </summary>
    public bool IsLoopback
    {
        get
        {
            var host = HostWithoutPort(Registry);
            return host == "localhost" || host.StartsWith("127.", StringComparison.Ordinal) || host == "[::1]";
        }
    }

    /// <summary>The reference in full: <c>registry/repository[:tag][@digest]</c>.</summary>
    public string Canonical => $"{Registry}/{Repository}{(Tag is null ? string.Empty : ":" + Tag)}{(Digest is null ? string.Empty : "@" + Digest)}";

    /// <summary>Parses <paramref name="reference"/>; throws <see cref="PinningException"/> naming what is wrong.</summary>
    public static ImageName Parse(string reference)
    {
        var text = (reference ?? string.Empty).Trim();
        if (text.Length == 0)
        {
            throw new PinningException("The image reference is empty.");
        }

        string? digest = null;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = text[(at + 1)..];
            text = text[..at];
            if (!DigestPattern().IsMatch(digest))
            {
                throw Invalid(reference!, $"'{digest}' is not a digest such as sha256:<64 hex digits>");
            }
        }

        var registry = DockerHub;
        var firstSlash = text.IndexOf('/', StringComparison.Ordinal);
        if (firstSlash > 0)
        {
            var first = text[..firstSlash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                registry = first.ToLowerInvariant();
                text = text[(firstSlash + 1)..];
            }
        }

        string? tag = null;
        var lastColon = text.LastIndexOf(':');
        if (lastColon > text.LastIndexOf('/'))
        {
            tag = text[(lastColon + 1)..];
            text = text[..lastColon];
            if (!TagPattern().IsMatch(tag))
            {
                throw Invalid(reference!, $"'{tag}' is not a valid tag (letters, digits, '_', '.', '-'; at most 128, not starting with '.' or '-')");
            }
        }

        if (registry is DockerHub or "index.docker.io")
        {
            registry = DockerHub;
            if (!text.Contains('/', StringComparison.Ordinal))
            {
                text = "library/" + text;
            }
        }

        if (!RepositoryPattern().IsMatch(text))
        {
            throw Invalid(reference!, $"'{text}' is not a valid repository name (lowercase letters, digits and the separators '.', '_', '-', '/')");
        }

        if (tag is null && digest is null)
        {
            tag = "latest";
        }

        return new ImageName(registry, text, tag, digest);
    }

    /// <summary>This image pinned to <paramref name="digest"/>: <c>registry/repository@digest</c> (what the engine pulls and runs).</summary>
    public string PinnedTo(string digest) => $"{Registry}/{Repository}@{digest}";

    private static string HostWithoutPort(string registry)
    {
        if (registry.StartsWith('['))
        {
            var end = registry.IndexOf(']', StringComparison.Ordinal);
            return end < 0 ? registry : registry[..(end + 1)];
        }

        var colon = registry.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? registry : registry[..colon];
    }

    private static PinningException Invalid(string reference, string why) =>
        new($"'{reference}' is not a valid image reference: {why}.");

    [GeneratedRegex("^[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$")]
    private static partial Regex DigestPattern();
}
