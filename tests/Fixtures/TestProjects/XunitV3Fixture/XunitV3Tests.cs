namespace XunitV3Fixture;

using Xunit;

public sealed class XunitV3Tests
{
    private static int calls;

    [Fact]
    public void Passes() => Assert.Equal(1, Interlocked.Increment(ref calls));

    [Fact]
    public void AlsoStartsFresh() => Assert.Equal(1, Interlocked.Increment(ref calls));

    [Fact]
    public void Fails() => Assert.Fail("failing on purpose in xUnit v3");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Rows(int value) => Assert.True(value > 0);
}
