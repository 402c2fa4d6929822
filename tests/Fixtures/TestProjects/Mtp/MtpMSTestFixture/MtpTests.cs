namespace MtpMSTestFixture;

[TestClass]
public sealed class MtpTests
{
    [TestMethod]
    public void Passes() => Assert.AreEqual(4, Environment.ProcessorCount > 0 ? 4 : 0);

    [TestMethod]
    public void Fails() => Assert.Fail("failing on purpose under the MSTest runner");

    [TestMethod]
    public void WritesItsProcessName() => Console.WriteLine($"hostname={System.Net.Dns.GetHostName()}");
}
