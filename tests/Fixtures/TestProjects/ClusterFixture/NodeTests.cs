namespace ClusterFixture;

using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>
/// Thirty tests of 1.5 s each that print the node they ran on, what they read of the source tree
/// (which reaches a cluster node only inside the pushed image), whether /tmp was fresh, their uid
/// and the pids and memory limits they run under.
/// </summary>
[TestClass]
public sealed class NodeTests
{
    [TestMethod]
    public void Test01() => Report();

    [TestMethod]
    public void Test02() => Report();

    [TestMethod]
    public void Test03() => Report();

    [TestMethod]
    public void Test04() => Report();

    [TestMethod]
    public void Test05() => Report();

    [TestMethod]
    public void Test06() => Report();

    [TestMethod]
    public void Test07() => Report();

    [TestMethod]
    public void Test08() => Report();

    [TestMethod]
    public void Test09() => Report();

    [TestMethod]
    public void Test10() => Report();

    [TestMethod]
    public void Test11() => Report();

    [TestMethod]
    public void Test12() => Report();

    [TestMethod]
    public void Test13() => Report();

    [TestMethod]
    public void Test14() => Report();

    [TestMethod]
    public void Test15() => Report();

    [TestMethod]
    public void Test16() => Report();

    [TestMethod]
    public void Test17() => Report();

    [TestMethod]
    public void Test18() => Report();

    [TestMethod]
    public void Test19() => Report();

    [TestMethod]
    public void Test20() => Report();

    [TestMethod]
    public void Test21() => Report();

    [TestMethod]
    public void Test22() => Report();

    [TestMethod]
    public void Test23() => Report();

    [TestMethod]
    public void Test24() => Report();

    [TestMethod]
    public void Test25() => Report();

    [TestMethod]
    public void Test26() => Report();

    [TestMethod]
    public void Test27() => Report();

    [TestMethod]
    public void Test28() => Report();

    [TestMethod]
    public void Test29() => Report();

    [TestMethod]
    public void Test30() => Report();

    private static void Report()
    {
        var data = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "data.txt")).Trim();

        // A fresh /tmp: no other test's marker (each writes one).
        var marker = "/tmp/claimed";
        var fresh = !File.Exists(marker);
        File.WriteAllText(marker, "x");
        var uid = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
        var pids = Read("/sys/fs/cgroup/pids/pids.max");
        var memory = Read("/sys/fs/cgroup/memory/memory.limit_in_bytes");
        Thread.Sleep(1500);
        Console.WriteLine($"node={Environment.GetEnvironmentVariable("CONTAINERTEST_NODE") ?? "none"} host={Environment.MachineName} data={data} fresh-tmp={fresh} uid={uid} pids={pids} memory={memory}");
    }

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "?";
}
