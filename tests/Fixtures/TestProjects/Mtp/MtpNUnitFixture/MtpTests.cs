namespace MtpNUnitFixture;

using NUnit.Framework;

public sealed class MtpTests
{
    [Test]
    public void Passes() => Assert.That(Environment.ProcessorCount, Is.GreaterThan(0));

    [Test]
    public void Fails() => Assert.Fail("failing on purpose under the NUnit runner");
}
