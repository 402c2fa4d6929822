namespace MtpCrashFixture;

[TestClass]
public sealed class CrashTests
{
    [TestMethod]
    public void EndsItsProcess()
    {
        Console.WriteLine("about to end the process");
        Environment.Exit(3);
    }

    [TestMethod]
    public void Passes() => Assert.AreEqual("MtpCrashFixture", GetType().Assembly.GetName().Name);
}
