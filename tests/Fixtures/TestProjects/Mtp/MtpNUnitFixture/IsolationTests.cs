namespace MtpNUnitFixture;

using NUnit.Framework;

/// <summary>
/// Two tests that share what one process shares: a file at a fixed path in /tmp and a static
/// counter. In one process the second to run fails; each in a fresh sandbox, both pass. Each
/// prints the host name it sees, which is its sandbox's id there.
/// </summary>
public sealed class IsolationTests
{
    private const string SharedFile = "/tmp/containertest-mtp-isolation";
    private static int runs;

    [Test]
    public void FirstSeesAFreshProcess() => SeesAFreshProcess();

    [Test]
    public void SecondSeesAFreshProcess() => SeesAFreshProcess();

    private static void SeesAFreshProcess()
    {
        var host = System.Net.Dns.GetHostName();
        Console.WriteLine($"host={host}");
        var seenBefore = File.Exists(SharedFile);
        File.WriteAllText(SharedFile, host);
        Assert.That(Interlocked.Increment(ref runs), Is.EqualTo(1), "another test ran in this process before");
        Assert.That(seenBefore, Is.False, "another test's file was in /tmp");
    }
}
