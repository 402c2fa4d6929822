namespace MtpXunitV3Fixture;

using Xunit;

/// <summary>
/// Two tests that share what one process shares: a file at a fixed path in /tmp and a static
/// counter. In one process the second to run fails; each in a fresh sandbox, both pass. Each
/// writes the host name it sees, which is its sandbox's id there.
/// </summary>
[Collection("isolation")] // one after the other natively, as the other frameworks run them
public sealed class IsolationTests(ITestOutputHelper output)
{
    private const string SharedFile = "/tmp/containertest-mtp-isolation";
    private static int runs;

    [Fact]
    public void FirstSeesAFreshProcess() => SeesAFreshProcess();

    [Fact]
    public void SecondSeesAFreshProcess() => SeesAFreshProcess();

    private void SeesAFreshProcess()
    {
        var host = System.Net.Dns.GetHostName();
        output.WriteLine($"host={host}");
        var seenBefore = File.Exists(SharedFile);
        File.WriteAllText(SharedFile, host);
        Assert.Equal(1, Interlocked.Increment(ref runs));
        Assert.False(seenBefore, "another test's file was in /tmp");
    }
}
