namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.Protocol;
using ContainerTest.TestAdapter.Coverage;

/// <summary>
/// Pure logic, on real files: how a container's coverlet counts are added to the hits file, and
/// that a path sent from inside a container can name nothing but a coverlet hits file.
/// </summary>
[TestClass]
public sealed class CoverletHitsFileTests
{
    private static string NewHitsFile() => Path.Combine(Path.GetTempPath(), $"SomeModule_{Guid.NewGuid()}");

    private static int[] Read(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        return Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadInt32()).ToArray();
    }

    [TestMethod]
    public void Counts_from_several_containers_add_up_in_coverlets_format()
    {
        var path = NewHitsFile();
        try
        {
            CoverletHitsFile.Merge(new CoverletHits(path, false, [1, 0, 2]));
            CoverletHitsFile.Merge(CoverletHits.FromMessage(new CoverletHits(path, false, [0, 0, 5]).ToMessage()));

            Assert.AreEqual("1,0,7", string.Join(",", Read(path)));
            Assert.AreEqual(4 + (3 * 4), new FileInfo(path).Length, "a count, then one 32-bit count per location");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Single_hit_mode_counts_a_location_once()
    {
        var path = NewHitsFile();
        try
        {
            CoverletHitsFile.Merge(new CoverletHits(path, true, [1, 0]));
            CoverletHitsFile.Merge(new CoverletHits(path, true, [1, 1]));

            Assert.AreEqual("1,1", string.Join(",", Read(path)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void A_different_number_of_locations_is_refused_and_leaves_the_file_as_it_was()
    {
        var path = NewHitsFile();
        try
        {
            CoverletHitsFile.Merge(new CoverletHits(path, false, [3, 3]));

            Assert.ThrowsExactly<InvalidDataException>(() => CoverletHitsFile.Merge(new CoverletHits(path, false, [1, 1, 1])));
            Assert.AreEqual("3,3", string.Join(",", Read(path)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [DataRow("/etc/SomeModule_00000000-0000-0000-0000-000000000000")]
    [DataRow("relative/SomeModule_00000000-0000-0000-0000-000000000000")]
    [DataRow("{temp}/not-a-hits-file")]
    [DataRow("{temp}/sub/../SomeModule_00000000-0000-0000-0000-000000000000")]
    public void A_path_that_is_not_a_coverlet_hits_file_in_the_temp_folder_is_never_written(string path)
    {
        path = path.Replace("{temp}", Path.GetTempPath().TrimEnd('/'), StringComparison.Ordinal);

        Assert.ThrowsExactly<InvalidDataException>(() => CoverletHitsFile.Merge(new CoverletHits(path, false, [1])));
        Assert.IsFalse(File.Exists(path));
    }
}
