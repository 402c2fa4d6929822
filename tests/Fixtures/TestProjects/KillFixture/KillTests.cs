namespace KillFixture;

using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>Twelve tests of 0.4 s each: long enough to be stopped while the pool fills, mid-test, while results come back and while containers go.</summary>
[TestClass]
public sealed class KillTests
{
    [TestMethod] public void Test01() => Thread.Sleep(400);

    [TestMethod] public void Test02() => Thread.Sleep(400);

    [TestMethod] public void Test03() => Thread.Sleep(400);

    [TestMethod] public void Test04() => Thread.Sleep(400);

    [TestMethod] public void Test05() => Thread.Sleep(400);

    [TestMethod] public void Test06() => Thread.Sleep(400);

    [TestMethod] public void Test07() => Thread.Sleep(400);

    [TestMethod] public void Test08() => Thread.Sleep(400);

    [TestMethod] public void Test09() => Thread.Sleep(400);

    [TestMethod] public void Test10() => Thread.Sleep(400);

    [TestMethod] public void Test11() => Thread.Sleep(400);

    [TestMethod] public void Test12() => Thread.Sleep(400);
}
