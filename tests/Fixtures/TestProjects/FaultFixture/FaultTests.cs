namespace FaultFixture;

using System.Net.Sockets;
using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>
/// Tests that misbehave against the sandbox's limits. Each would harm a native run (or the
/// machine); in a container each is stopped by its limit and reported. They refuse to run
/// outside a ContainerTest container.
/// </summary>
[TestClass]
public sealed class FaultTests
{
    [TestMethod]
    public void AllocatesPastTheMemoryLimit()
    {
        InsideContainerOnly();
        var hoard = new List<byte[]>();
        while (true)
        {
            var chunk = new byte[64 * 1024 * 1024];
            Array.Fill(chunk, (byte)1); // touch every page
            hoard.Add(chunk);
        }
    }

    [TestMethod]
    public void StartsThreadsWithoutEnd()
    {
        InsideContainerOnly();
        while (true)
        {
            new Thread(() => Thread.Sleep(Timeout.Infinite)) { IsBackground = true }.Start();
        }
    }

    [TestMethod]
    public void FillsTmp()
    {
        InsideContainerOnly();
        var chunk = new byte[1024 * 1024];
        using var file = File.Create("/tmp/filler.bin");
        while (true)
        {
            file.Write(chunk);
            file.Flush();
        }
    }

    [TestMethod]
    public void CannotWriteToReadOnlyPlaces()
    {
        InsideContainerOnly();
        var sourceTree = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "FaultTests.cs"));
        foreach (var path in new[] { "/usr/share/dotnet/intruder.txt", "/etc/intruder.txt", sourceTree + ".intruder" })
        {
            // Permission denied in a container, a read-only file system in a sandbox (README: what differs).
            var refused = Assert.Throws<Exception>(() => File.WriteAllText(path, "x"), path);
            Assert.IsTrue(refused is UnauthorizedAccessException || refused.Message.Contains("Read-only file system", StringComparison.Ordinal), $"{path}: {refused}");
            Assert.IsFalse(File.Exists(path), path);
        }
    }

    [TestMethod]
    public void CannotReachOutsideWithNetworkNone()
    {
        InsideContainerOnly();
        using var client = new TcpClient();
        var error = Assert.ThrowsExactly<SocketException>(() => client.Connect("10.255.255.1", 80));
        Assert.AreEqual(SocketError.NetworkUnreachable, error.SocketErrorCode, error.Message);
    }

    [TestMethod]
    public void Behaves() => Assert.AreEqual(3, "abc".Length);

    private static void InsideContainerOnly()
    {
        if (Environment.GetEnvironmentVariable("CONTAINERTEST_JOB_ID") is null)
        {
            Assert.Inconclusive("misbehaves on purpose: runs only inside a ContainerTest container");
        }
    }
}
