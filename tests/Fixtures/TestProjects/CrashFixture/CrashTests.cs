namespace CrashFixture;

using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>
/// Tests that take their process down. Natively they would end the whole run; in containers each
/// takes down only its own. The destructive ones refuse to run outside a ContainerTest container.
/// </summary>
[TestClass]
public sealed class CrashTests
{
    [TestMethod]
    public void Passes() => Assert.AreEqual("container", "con" + "tainer".ToString());

    [TestMethod]
    public void CallsEnvironmentExit()
    {
        InsideContainerOnly();
        Console.WriteLine("about to exit");
        Environment.Exit(3);
    }

    [TestMethod]
    public void ThrowsOnAnotherThread()
    {
        InsideContainerOnly();
        var thread = new Thread(() => throw new InvalidOperationException("boom on another thread"));
        thread.Start();
        thread.Join();
    }

    [TestMethod]
    public void OverflowsTheStack()
    {
        InsideContainerOnly();
        Recurse(0);
    }

    [TestMethod]
    public void HangsForever()
    {
        InsideContainerOnly();
        Console.WriteLine("before the hang");
        Thread.Sleep(Timeout.Infinite);
    }

    [TestMethod]
    public void AlsoPasses() => Assert.AreEqual(4, Environment.ProcessorCount > 0 ? 4 : 0);

    private static int Recurse(int depth) => Recurse(depth + 1) + 1;

    private static void InsideContainerOnly()
    {
        if (Environment.GetEnvironmentVariable("CONTAINERTEST_JOB_ID") is null)
        {
            Assert.Inconclusive("takes its process down: runs only inside a ContainerTest container");
        }
    }
}
