namespace CoverageXunitFixture;

using CoverageLibrary;
using Xunit;

public sealed class ShapeTests
{
    [Fact]
    public void Triangle() => Assert.Equal("triangle", Shapes.Classify(3));

    [Fact]
    public void Line() => Assert.Equal("not a polygon", Shapes.Classify(2));

    [Theory]
    [InlineData(3, 2, 6)]
    [InlineData(5, 1, 5)]
    public void Perimeter(int sides, int length, int expected) => Assert.Equal(expected, Shapes.Perimeter(sides, length));

    [Fact]
    public void NegativeArea() => Assert.Throws<ArgumentOutOfRangeException>(() => Shapes.Area(-1, 2));
}
