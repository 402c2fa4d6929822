namespace ContainerTest.ContainerRuntime.Backends.Docker.HostImage;

using System.Globalization;
using System.Text.Json;

/// <summary>
/// What <c>ldd</c> answered for each of the host runtime's files, kept across runs in
/// <c>ldd-answers-v1.json</c> under <see cref="RuntimeCache.Root"/>. An answer stands while the
/// file (its final target: size and modification time) and the loader's world — the loader's
/// cache <c>/etc/ld.so.cache</c> (size and time; <c>ldconfig</c> rewrites it whenever libraries
/// are installed or removed) and <c>LD_LIBRARY_PATH</c> — are as they were when it was given.
/// </summary>
/// <remarks>
/// Every run works out the host image's tag, which needs the shared-library closure of the
/// runtime: about 25 <c>ldd</c> runs (each a shell script that runs the loader). On the 2-core CI
/// machine that was 0.6 s between the test host's start and the run's first worker, and most of
/// the host image's check. The cache is an optimisation only: a file that cannot be read or
/// written means asking <c>ldd</c> again.
/// </remarks>
internal sealed class LddAnswers
{
    private const string FileName = "ldd-answers-v1.json";
    private static readonly Lazy<LddAnswers> Machine = new(() => Load(RuntimeCache.Root));

    private readonly string path;
    private readonly string world;
    private readonly Dictionary<string, Answer> answers;
    private int asked;
    private bool changed;

    private LddAnswers(string path, string world, Dictionary<string, Answer> answers)
    {
        this.path = path;
        this.world = world;
        this.answers = answers;
    }

    /// <summary>The answers of this machine's cache, loaded once per process.</summary>
    public static LddAnswers Shared => Machine.Value;

    /// <summary>How many files this instance had to ask <c>ldd</c> about (for tests).</summary>
    public int Asked => Volatile.Read(ref asked);

    /// <summary>Loads the answers kept in <paramref name="directory"/> (none when there is no readable file).</summary>
    public static LddAnswers Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        var answers = new Dictionary<string, Answer>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(path) && JsonSerializer.Deserialize<Dictionary<string, Answer>>(File.ReadAllText(path)) is { } kept)
            {
                answers = new Dictionary<string, Answer>(kept, StringComparer.Ordinal);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            // No answers: they are asked again and the file is rewritten.
        }

        return new LddAnswers(path, World(), answers);
    }

    /// <summary>The answer for <paramref name="file"/>: the one kept while nothing it depends on changed, else <paramref name="ask"/>'s, then kept.</summary>
    public async Task<string> GetAsync(string file, Func<Task<string>> ask)
    {
        var fingerprint = Fingerprint(file);
        lock (answers)
        {
            if (fingerprint is not null && answers.TryGetValue(file, out var known) && known.File == fingerprint && known.World == world)
            {
                return known.Output;
            }
        }

        Interlocked.Increment(ref asked);
        var output = await ask().ConfigureAwait(false);
        if (fingerprint is not null)
        {
            lock (answers)
            {
                answers[file] = new Answer(fingerprint, world, output);
                changed = true;
            }
        }

        return output;
    }

    /// <summary>Writes the answers back when any was added (atomically: a concurrent run reads the old file or the new one).</summary>
    public void Save()
    {
        string text;
        lock (answers)
        {
            if (!changed)
            {
                return;
            }

            text = JsonSerializer.Serialize(answers);
            changed = false;
        }

        var temporary = $"{path}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Size and modification time of the file <c>ldd</c> will read (a link's final target); null when it cannot be seen.</summary>
    private static string? Fingerprint(string file)
    {
        try
        {
            var target = File.ResolveLinkTarget(file, returnFinalTarget: true) as FileInfo ?? new FileInfo(file);
            return target.Exists ? $"{target.FullName} {target.Length} {target.LastWriteTimeUtc.Ticks}" : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What else <c>ldd</c>'s answers depend on: the loader's cache and LD_LIBRARY_PATH.</summary>
    private static string World()
    {
        var loaderCache = new FileInfo("/etc/ld.so.cache");
        var cache = loaderCache.Exists ? $"{loaderCache.Length} {loaderCache.LastWriteTimeUtc.Ticks}" : "none";
        return $"ld.so.cache {cache}; LD_LIBRARY_PATH={Environment.GetEnvironmentVariable("LD_LIBRARY_PATH")}";
    }

    /// <summary>One kept answer: the file's fingerprint, the loader's world, and what ldd printed.</summary>
    private sealed record Answer(string File, string World, string Output);
}
