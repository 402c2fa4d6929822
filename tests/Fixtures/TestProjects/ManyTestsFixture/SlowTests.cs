namespace ManyTestsFixture;

/// <summary>Tests slow enough that the engine can be stopped while some of them still run.</summary>
[TestClass]
public sealed class SlowTests
{
    [TestMethod] [TestCategory("Slow")] public void Slow1() => Thread.Sleep(3000);

    [TestMethod] [TestCategory("Slow")] public void Slow2() => Thread.Sleep(3000);

    [TestMethod] [TestCategory("Slow")] public void Slow3() => Thread.Sleep(3000);

    [TestMethod] [TestCategory("Slow")] public void Slow4() => Thread.Sleep(3000);

    [TestMethod] [TestCategory("Slow")] public void Slow5() => Thread.Sleep(3000);

    [TestMethod] [TestCategory("Slow")] public void Slow6() => Thread.Sleep(3000);

    [TestMethod] [TestCategory("Slow")] public void Slow7() => Thread.Sleep(3000);

    [TestMethod] [TestCategory("Slow")] public void Slow8() => Thread.Sleep(3000);
}
