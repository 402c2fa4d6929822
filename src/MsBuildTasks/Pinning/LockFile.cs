namespace ContainerTest.MsBuildTasks.Pinning;

using System.Globalization;
using System.Text;
using System.Text.Json;

/// <summary>
/// <c>containertest.lock.json</c>, beside the project, committed by the user: which image
/// reference was pinned to which manifest digest, and when.
/// <code>
/// {
///   "version": 1,
///   "image": "registry.example/team/tests:1",
///   "digest": "sha256:…",
///   "resolvedAt": "2026-11-23T04:40:00Z"
/// }
/// </code>
/// </summary>
public sealed record LockFile(string Image, string Digest, DateTimeOffset ResolvedAt)
{
    /// <summary>The file's name.</summary>
    public const string FileName = "containertest.lock.json";

    /// <summary>The format written and understood.</summary>
    public const int FormatVersion = 1;

    /// <summary>Reads <paramref name="path"/>; null when there is no such file.</summary>
    public static async Task<LockFile?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            await using var stream = File.OpenRead(path);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number
                || !root.TryGetProperty("image", out var image) || image.GetString() is not { Length: > 0 } imageText
                || !root.TryGetProperty("digest", out var digest) || digest.GetString() is not { Length: > 0 } digestText)
            {
                throw Unreadable(path, "it needs \"version\", \"image\" and \"digest\"");
            }

            if (version.GetInt32() != FormatVersion)
            {
                throw Unreadable(path, $"it is format version {version.GetInt32()}; this ContainerTest reads version {FormatVersion}");
            }

            var resolvedAt = root.TryGetProperty("resolvedAt", out var at) && at.TryGetDateTimeOffset(out var parsed) ? parsed : DateTimeOffset.MinValue;
            return new LockFile(imageText, digestText, resolvedAt);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, ex.Message);
        }
    }

    /// <summary>The file's text: indented JSON, the same bytes for the same content.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", FormatVersion);
            writer.WriteString("image", Image);
            writer.WriteString("digest", Digest);
            writer.WriteString("resolvedAt", ResolvedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    /// <summary>Writes the file (through a temporary file of its own, so a reader never sees half of it, and two inner builds of a multi-targeted project do not collide).</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllTextAsync(temporary, ToJson(), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    private static PinningException Unreadable(string path, string why) =>
        new($"The lock file {path} cannot be read: {why}. Delete it and run `dotnet build -p:ContainerTestUpdateLock=true` (or `dotnet containertest pin`) to write it anew.");
}
