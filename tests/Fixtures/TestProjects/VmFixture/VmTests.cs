namespace VmFixture;

using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>
/// Tests for the qemu backend (ContainerTestBackend=qemu): each reports what its VM looks like on
/// stdout, as <c>name=value</c> lines the end-to-end tests read from the TRX, and the destructive
/// ones refuse to run outside a ContainerTest job.
/// </summary>
[TestClass]
public sealed class VmTests
{
    private static readonly string[] Markers = ["MarkerA", "MarkerB", "MarkerC"];

    [TestMethod]
    public void ReportsWhereItRuns()
    {
        Console.WriteLine($"uid={File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1]}");
        Console.WriteLine($"cwd={Environment.CurrentDirectory}");
        Console.WriteLine($"base={AppContext.BaseDirectory.TrimEnd('/')}");
        Console.WriteLine($"fromRunSettings={Environment.GetEnvironmentVariable("VM_FIXTURE_GREETING")}");
        Console.WriteLine($"host={Environment.MachineName}");
        Console.WriteLine($"kernel={File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}");
        Console.WriteLine($"boot={BootId()}");
    }

    [TestMethod]
    public void MarkerA() => LeaveAMarkerNoOtherTestSees(nameof(MarkerA));

    [TestMethod]
    public void MarkerB() => LeaveAMarkerNoOtherTestSees(nameof(MarkerB));

    [TestMethod]
    public void MarkerC() => LeaveAMarkerNoOtherTestSees(nameof(MarkerC));

    private static void LeaveAMarkerNoOtherTestSees(string name)
    {
        Console.WriteLine($"boot={BootId()}");
        foreach (var other in Markers.Where(m => m != name))
        {
            Assert.IsFalse(File.Exists(Path.Combine(AppContext.BaseDirectory, other)), $"{other}'s marker is in the output folder");
            Assert.IsFalse(File.Exists(Path.Combine(Path.GetTempPath(), other)), $"{other}'s marker is in /tmp");
        }

        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, name), name);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), name), name);
    }

    [TestMethod]
    public void ExitsWithCode3()
    {
        InsideJobOnly();
        Console.WriteLine("about to exit");
        Environment.Exit(3);
    }

    [TestMethod]
    public void OverflowsTheStack()
    {
        InsideJobOnly();

        // On a small stack: the runtime prints every frame of the overflow, which under TCG takes long.
        var thread = new Thread(() => Recurse(0), 256 * 1024);
        thread.Start();
        thread.Join();
    }

    [TestMethod]
    public void HangsForever()
    {
        InsideJobOnly();
        Console.WriteLine("before the hang");
        Thread.Sleep(Timeout.Infinite);
    }

    private static string BootId() => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();

    private static int Recurse(int depth) => Recurse(depth + 1) + 1;

    private static void InsideJobOnly()
    {
        if (Environment.GetEnvironmentVariable("CONTAINERTEST_JOB_ID") is null)
        {
            Assert.Inconclusive("takes its process down: runs only inside a ContainerTest job");
        }
    }
}
