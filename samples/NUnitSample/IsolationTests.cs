namespace NUnitSample;

/// <summary>
/// What a container per test gives. Run natively in one process, the second test of each pair
/// fails (the first one's file or counter is still there); with ContainerTest each test starts
/// from a fresh container and all of them pass.
/// </summary>
[TestFixture]
public sealed class IsolationTests
{
    private const string SharedFile = "/tmp/containertest-sample.txt";
    private static int counter;

    [Test]
    public void WritesSharedTempFile_A() => WriteSharedFile("A");

    [Test]
    public void WritesSharedTempFile_B() => WriteSharedFile("B");

    [Test]
    public void IncrementsStaticCounter_A() => Assert.That(Interlocked.Increment(ref counter), Is.EqualTo(1));

    [Test]
    public void IncrementsStaticCounter_B() => Assert.That(Interlocked.Increment(ref counter), Is.EqualTo(1));

    [Test]
    public void WritesNextToItsAssembly()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "written-by-test.txt");
        Assert.That(File.Exists(path), Is.False, "a file another test wrote next to the assembly is visible");
        File.WriteAllText(path, "mine");
    }

    private static void WriteSharedFile(string who)
    {
        Assert.That(File.Exists(SharedFile), Is.False, $"{SharedFile} exists: another test left it behind");
        File.WriteAllText(SharedFile, who);
    }
}
