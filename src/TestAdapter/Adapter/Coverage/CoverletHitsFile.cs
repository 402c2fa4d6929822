namespace ContainerTest.TestAdapter.Coverage;

using ContainerTest.Protocol;

/// <summary>
/// Adds the hit counts a test's container sent (<see cref="CoverletHits"/>) to the hits file
/// coverlet.collector reads when the session ends: a 32-bit count of locations, then one 32-bit
/// count per location (coverlet's ModuleTrackerTemplate format, the same in coverlet 6 and 10).
/// Writers are serialized by the named mutex coverlet's own tracker takes for the same file, so
/// the test host's in-process collector, flushing the host's own hits, adds rather than overwrites.
/// </summary>
internal static class CoverletHitsFile
{
    /// <summary>Largest number of locations accepted (a module with more is not plausible).</summary>
    private const int MaxLocations = 64 * 1024 * 1024;

    /// <summary>
    /// Adds <paramref name="hits"/> to its hits file. The path comes from inside the container, so
    /// only what coverlet names is written: a file in this machine's temp folder named
    /// <c>&lt;module&gt;_&lt;session guid&gt;</c>, not a link, and, given <paramref name="outputFolder"/>,
    /// only for a module of it (<c>&lt;module&gt;.dll</c> or <c>.exe</c> there). Throws
    /// <see cref="InvalidDataException"/> for anything else, or when an existing file counts a
    /// different number of locations.
    /// </summary>
    public static void Merge(CoverletHits hits, string? outputFolder = null)
    {
        ArgumentNullException.ThrowIfNull(hits);
        var path = Validate(hits);
        var module = Path.GetFileName(path)[..^37];
        if (outputFolder is not null && !File.Exists(Path.Combine(outputFolder, module + ".dll")) && !File.Exists(Path.Combine(outputFolder, module + ".exe")))
        {
            throw new InvalidDataException($"'{path}' names no module of {outputFolder}");
        }

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
                merged = Add(CoverletHits.ReadHitsFile(path), hits.Hits, hits.SingleHit);
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
            || !CoverletHits.IsHitsFileName(Path.GetFileName(path)))
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
}
