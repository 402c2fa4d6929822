namespace SandboxLeakFixture;

using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>
/// Three rounds of the same test. Each first looks for anything an earlier round left behind —
/// files in every writable place, a process, a loopback listener, SysV shared memory, a host
/// name — then leaves all of that itself. Run one after another in one worker, any leak makes
/// a later round fail, whatever their order. Each prints the worker it ran in (from the engine's
/// path of /etc/resolv.conf in its mount table), so the test of the product can check that the
/// rounds really shared a worker.
/// </summary>
[TestClass]
public sealed partial class LeakTests
{
    private const int ListenerPort = 47001;
    private const int SharedMemoryKey = 0x5EED0000;

    [TestMethod]
    public void Round1() => Round("round1");

    [TestMethod]
    public void Round2() => Round("round2");

    [TestMethod]
    public void Round3() => Round("round3");

    private static void Round(string name)
    {
        Console.WriteLine("worker: " + WorkerId());
        var places = WritablePlaces();

        // What an earlier round may have left.
        foreach (var place in places)
        {
            var left = Directory.GetFiles(place, "leak-*");
            Assert.AreEqual(0, left.Length, $"{place} holds what an earlier test left: {string.Join(", ", left)}");
        }

        var holders = Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)).Where(d => CommandLine(d).Contains(Lingerer.Marker, StringComparison.Ordinal)).ToList();
        Assert.AreEqual(0, holders.Count, "an earlier test's process still runs: " + string.Join(", ", holders.Select(CommandLine)));
        using (var client = new TcpClient())
        {
            var refused = Assert.ThrowsExactly<SocketException>(() => client.Connect("127.0.0.1", ListenerPort), "an earlier test's loopback listener still answers");
            Assert.AreEqual(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }

        for (var round = 1; round <= 3; round++)
        {
            Assert.AreEqual(-1, Libc.shmget(SharedMemoryKey + round, 0, 0), $"an earlier test's SysV shared memory segment {SharedMemoryKey + round:x} is still there");
        }

        Assert.IsFalse(Environment.MachineName.StartsWith("leak-", StringComparison.Ordinal), "an earlier test renamed the host: " + Environment.MachineName);

        // What this round leaves.
        foreach (var place in places)
        {
            File.WriteAllText(Path.Combine(place, "leak-" + name), name);
        }

        var lingerer = Lingerer.Start("linger", ListenerPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        lingerer.WaitForExit();
        var key = SharedMemoryKey + int.Parse(name[^1..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.IsTrue(Libc.shmget(key, 4096, Libc.IpcCreat | 0x180) >= 0, "shmget: " + Libc.LastError());
        Assert.AreEqual(-1, Libc.sethostname("leak-" + name, (nuint)("leak-" + name).Length), "a test may not rename its host");

        // The same looks as above find what this round left: had an earlier round's leaks survived, they would have been seen.
        WaitUntilListening();
        Assert.IsTrue(places.All(p => File.Exists(Path.Combine(p, "leak-" + name))), "this round's own files are not found where it wrote them");
        Assert.IsTrue(Directory.GetDirectories("/proc").Any(d => CommandLine(d).Contains(Lingerer.Marker, StringComparison.Ordinal)), "this round's own lingering process is not found in /proc");
        Assert.IsTrue(Libc.shmget(key, 0, 0) >= 0, "this round's own shared memory segment is not found");
    }

    /// <summary>Every place a test may write: /tmp, HOME, /dev/shm, /var/tmp (where the image has it), its output folder and working directory.</summary>
    private static List<string> WritablePlaces()
    {
        var places = new List<string> { "/tmp", Environment.GetEnvironmentVariable("HOME")!, "/dev/shm", AppContext.BaseDirectory, Environment.CurrentDirectory };
        if (Directory.Exists("/var/tmp"))
        {
            places.Add("/var/tmp");
        }

        return places.Select(p => Path.GetFullPath(p)).Distinct().ToList();
    }

    private static void WaitUntilListening()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect("127.0.0.1", ListenerPort);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        Assert.Fail("the lingering process never listened");
    }

    private static string CommandLine(string procDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procDirectory, "cmdline")).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>The engine's container id in the source path of /etc/resolv.conf's mount, or "native".</summary>
    private static string WorkerId()
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            if (ContainerPath().Match(line) is { Success: true } match)
            {
                return match.Groups[1].Value[..12];
            }
        }

        return "native";
    }

    [GeneratedRegex("/containers/([0-9a-f]{64})/resolv\\.conf")]
    private static partial Regex ContainerPath();
}
