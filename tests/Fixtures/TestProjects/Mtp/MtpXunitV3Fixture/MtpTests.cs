namespace MtpXunitV3Fixture;

using Xunit;

public sealed class MtpTests
{
    [Fact]
    public void Passes() => Assert.True(Environment.ProcessorCount > 0);

    [Fact]
    public void Fails() => Assert.Fail("failing on purpose under xUnit v3's runner");
}
