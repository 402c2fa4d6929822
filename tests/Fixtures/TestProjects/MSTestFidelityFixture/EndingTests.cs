namespace MSTestFidelityFixture;

using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>A test that reports its result and whose process then never ends (in a container: past the timeout).</summary>
[TestClass]
public sealed class EndingTests
{
    [TestMethod]
    public void ReportsThenHangsOnExit()
    {
        if (Environment.GetEnvironmentVariable("CONTAINERTEST_JOB_ID") is not null)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Thread.Sleep(Timeout.Infinite);
            new Thread(() => Thread.Sleep(Timeout.Infinite)) { IsBackground = false }.Start();
        }

        Assert.IsGreaterThan(0, Environment.ProcessorCount);
    }
}
