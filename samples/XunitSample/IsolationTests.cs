namespace XunitSample;

/// <summary>
/// What a container per test gives. Run natively in one process, the second test of each pair
/// fails (the first one's file or counter is still there); with ContainerTest each test starts
/// from a fresh container and all of them pass.
/// </summary>
public sealed class IsolationTests
{
    private const string SharedFile = "/tmp/containertest-sample.txt";
    private static int counter;

    [Fact]
    public void WritesSharedTempFile_A() => WriteSharedFile("A");

    [Fact]
    public void WritesSharedTempFile_B() => WriteSharedFile("B");

    [Fact]
    public void IncrementsStaticCounter_A() => Assert.Equal(1, Interlocked.Increment(ref counter));

    [Fact]
    public void IncrementsStaticCounter_B() => Assert.Equal(1, Interlocked.Increment(ref counter));

    [Fact]
    public void WritesNextToItsAssembly()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "written-by-test.txt");
        Assert.False(File.Exists(path), "a file another test wrote next to the assembly is visible");
        File.WriteAllText(path, "mine");
    }

    private static void WriteSharedFile(string who)
    {
        Assert.False(File.Exists(SharedFile), $"{SharedFile} exists: another test left it behind");
        File.WriteAllText(SharedFile, who);
    }
}
