namespace ContainerTest.TestAdapter.Coverage;

using System.Text.RegularExpressions;
using ContainerTest.Protocol;

/// <summary>
/// Adds the hit counts a test's container sent (<see cref="CoverletHits"/>) to the hits file
/// coverlet.collector reads when the session ends: a 32-bit count of locations, then one 32-bit
/// count per location (coverlet's ModuleTrackerTemplate format, the same in coverlet 6 and 10).
/// Writers are serialized by the named mutex coverlet's own tracker takes for the same file, so
/// the test host's in-process collector, flushing the host's own hits, adds rather than overwrites.
/// </summary>
internal static partial class CoverletHitsFile
{
    /// <summary>Largest number of locations accepted (a module with more is not plausible).</summary>
    private const int MaxLocations = 64 * 1024 * 1024;

    /// <summary>
    /// Adds <paramref name="hits"/> to its hits file. The path comes from inside the container, so
    /// only what coverlet names is written: a file in this machine's temp folder named
    /// <c>&lt;module&gt;_&lt;session guid&gt;</c>, not a link. Throws <see cref="InvalidDataException"/>
    /// for anything else, or when an existing file counts a different number of locations.
    /// </summary>
    public static void Merge(CoverletHits hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        var path = Validate(hits);
        using var mutex = new Mutex(true, Path.GetFileNameWithoutExtension(path) + "_Mutex", out var createdNew);
        if (!createdNew)
        {
            mutex.WaitOne();
        }

        try
        {
            var merged = hits.Hits;
            if (File.Exists(path))
            {
                merged = Add(Read(path), hits.Hits, hits.SingleHit);
            }

            var staging = path + ".containertest";
            Write(staging, merged);
            File.Move(staging, path, overwrite: true);
        }
        finally
        {
            mutex.ReleaseMutex();
        }
    }

    private static string Validate(CoverletHits hits)
    {
        var path = hits.HitsFilePath;
        var temp = Path.GetFullPath(Path.GetTempPath()).TrimEnd(Path.DirectorySeparatorChar);
        if (!Path.IsPathFullyQualified(path)
            || Path.GetFullPath(path) != path
            || Path.GetDirectoryName(path)?.TrimEnd(Path.DirectorySeparatorChar) != temp
            || !HitsFileName().IsMatch(Path.GetFileName(path)))
        {
            throw new InvalidDataException($"'{path}' is not a coverlet hits file in {temp}");
        }

        if (hits.Hits.Length is 0 or > MaxLocations)
        {
            throw new InvalidDataException($"{hits.Hits.Length} locations for {path}");
        }

        if (File.Exists(path) && new FileInfo(path).LinkTarget is not null)
        {
            throw new InvalidDataException($"{path} is a link");
        }

        return path;
    }

    private static int[] Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var reader = new BinaryReader(stream);
        var counts = new int[reader.ReadInt32()];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = reader.ReadInt32();
        }

        return counts;
    }

    private static int[] Add(int[] existing, int[] hits, bool singleHit)
    {
        if (existing.Length != hits.Length)
        {
            throw new InvalidDataException($"the hits file counts {existing.Length} locations, the container {hits.Length}");
        }

        var sum = new int[hits.Length];
        for (var i = 0; i < sum.Length; i++)
        {
            var total = (long)existing[i] + hits[i];
            sum[i] = singleHit ? (total > 0 ? 1 : 0) : (int)Math.Min(total, int.MaxValue);
        }

        return sum;
    }

    private static void Write(string path, int[] counts)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using var writer = new BinaryWriter(stream);
        writer.Write(counts.Length);
        foreach (var count in counts)
        {
            writer.Write(count);
        }
    }

    [GeneratedRegex(@"^.+_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex HitsFileName();
}
