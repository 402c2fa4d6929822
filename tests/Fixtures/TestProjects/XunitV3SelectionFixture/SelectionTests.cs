namespace XunitV3SelectionFixture;

using Xunit;

/// <summary>xUnit v3's Explicit: runs only when chosen.</summary>
public sealed class SelectionTests
{
    [Fact]
    public void PlainPass() => Assert.Equal(2, 1 + 1);

    [Fact(Explicit = true)]
    public void ExplicitOne() => Assert.Fail("an explicit test ran although the run did not choose it");
}
