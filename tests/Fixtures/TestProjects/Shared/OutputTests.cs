#define DEBUG // keeps Debug.Assert in this Release-built fixture
namespace OutputFixtures;

using System.Diagnostics;
using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>
/// Output an MSTest test writes before its process ends or hangs must survive into its result,
/// whatever MSTest version runs it (linked into the fixtures of MSTest 3.x, 4.0.x and the newest
/// 4.x). The tests that end the process do so only when the run settings set FIXTURE_CRASH=1.
/// </summary>
[TestClass]
public sealed class OutputTests
{
    private static bool Crash => Environment.GetEnvironmentVariable("FIXTURE_CRASH") == "1";

    [TestMethod]
    public void WritesAndPasses()
    {
        Console.WriteLine("written by a passing test");
        Assert.AreNotEqual(0, Environment.ProcessorCount);
    }

    [TestMethod]
    public void WritesThenExits()
    {
        Console.WriteLine("written before Environment.Exit");
        if (Crash)
        {
            Environment.Exit(7);
        }
    }

    [TestMethod]
    public void WritesThenFailsFast()
    {
        Console.WriteLine("written before Environment.FailFast");
        if (Crash)
        {
            Environment.FailFast("failing fast on purpose");
        }
    }

    [TestMethod]
    public void WritesThenDebugAssertFails()
    {
        Console.WriteLine("written before a failed Debug.Assert");
        Debug.Assert(!Crash, "a Debug.Assert failing on purpose");
    }

    [TestMethod]
    public void WritesThenHangs()
    {
        Console.WriteLine("written before the hang");
        if (Crash)
        {
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
