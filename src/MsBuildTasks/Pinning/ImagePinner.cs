namespace ContainerTest.MsBuildTasks.Pinning;

/// <summary>
/// The one place that decides between the lock file and the registry, for the build task and
/// for <c>dotnet containertest pin</c> alike. A lock that matches the configured image is used
/// without touching the network; the registry is asked only when there is no matching lock
/// (and the mode allows it) or when an update is asked for.
/// </summary>
public sealed class ImagePinner(Func<ImageName, CancellationToken, Task<string>> resolveDigest, TimeProvider clock)
{
    private const string HowToFix = "run `dotnet build -p:ContainerTestUpdateLock=true` (or `dotnet containertest pin`) where the registry answers, then commit " + LockFile.FileName;

    /// <summary>A pinner that asks registries over <paramref name="http"/>, with the Docker CLI's stored logins.</summary>
    public static ImagePinner ForRegistries(HttpClient http)
    {
        var logins = DockerConfigLogins.ForCurrentUser();
        var client = new RegistryClient(http, logins.FindAsync);
        return new ImagePinner(client.ResolveDigestAsync, TimeProvider.System);
    }

    /// <summary>
    /// Pins <paramref name="configuredImage"/> through the lock file <paramref name="lockPath"/>.
    /// Throws <see cref="PinningException"/> with a message for the user when it must not go on.
    /// </summary>
    public async Task<PinOutcome> PinAsync(string? configuredImage, string lockPath, PinMode mode, CancellationToken cancellationToken)
    {
        var configured = (configuredImage ?? string.Empty).Trim();
        if (configured.Length == 0)
        {
            // The host image is built on this machine; there is nothing in a registry to pin.
            return new PinOutcome(configured, null, null, false);
        }

        ImageName name;
        try
        {
            name = ImageName.Parse(configured);
        }
        catch (PinningException ex)
        {
            throw new PinningException($"ContainerTestImage: {ex.Message}", ex);
        }

        if (name.Digest is not null)
        {
            return new PinOutcome(configured, $"{configured} names a digest: it is pinned already, {LockFile.FileName} is not used.", null, false);
        }

        var existing = await LockFile.ReadAsync(lockPath, cancellationToken).ConfigureAwait(false);
        var matches = existing is not null && SameImage(existing.Image, name);
        if (matches && mode != PinMode.Update)
        {
            return new PinOutcome(name.PinnedTo(existing!.Digest), $"{configured} pinned to {existing.Digest} by {lockPath}.", null, false);
        }

        if (mode == PinMode.Locked)
        {
            throw new PinningException(existing is null
                ? $"The image {configured} is not pinned: {lockPath} is missing, and this build is locked (ContainerTestLocked=true, or CI=true). To fix it, {HowToFix}."
                : $"{lockPath} pins {existing.Image}, not the configured image {configured}, and this build is locked (ContainerTestLocked=true, or CI=true). To fix it, {HowToFix}.");
        }

        string digest;
        try
        {
            digest = await resolveDigest(name, cancellationToken).ConfigureAwait(false);
        }
        catch (PinningException ex) when (mode == PinMode.Default)
        {
            return new PinOutcome(
                configured,
                null,
                $"The image {configured} is used unpinned (by its tag): {ex.Message} If the image exists only on this machine, push it to a registry to pin it, or set ContainerTestPin=false to stop this warning.",
                false);
        }
        catch (PinningException ex)
        {
            throw new PinningException($"Cannot update {lockPath}: {ex.Message}", ex);
        }

        if (matches && existing!.Digest == digest)
        {
            return new PinOutcome(name.PinnedTo(digest), $"{configured} is still {digest}: {lockPath} is up to date.", null, false);
        }

        var written = new LockFile(configured, digest, clock.GetUtcNow());
        await written.WriteAsync(lockPath, cancellationToken).ConfigureAwait(false);
        var before = existing is null ? "new" : matches ? $"was {existing.Digest}" : $"was {existing.Image}";
        return new PinOutcome(name.PinnedTo(digest), $"{configured} pinned to {digest} in {lockPath} ({before}): commit it.", null, true);
    }

    private static bool SameImage(string locked, ImageName configured)
    {
        try
        {
            return ImageName.Parse(locked).Canonical == configured.Canonical;
        }
        catch (PinningException)
        {
            return false;
        }
    }
}
