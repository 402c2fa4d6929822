namespace ScheduleFixture;

using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>
/// Three tests declared in the reverse of the order the duration history should start them in
/// once it knows them: the failing one first, then the slow one, then the quick one.
/// </summary>
[TestClass]
public sealed class ScheduleTests
{
    [TestMethod]
    public void A_Quick()
    {
    }

    [TestMethod]
    public void B_Slow() => Thread.Sleep(1500);

    [TestMethod]
    public void C_Fails() => Assert.Fail("fails on purpose, so that the next run starts it first");
}
