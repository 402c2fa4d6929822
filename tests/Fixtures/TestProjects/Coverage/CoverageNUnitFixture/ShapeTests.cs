namespace CoverageNUnitFixture;

using CoverageLibrary;
using NUnit.Framework;

public sealed class ShapeTests
{
    [Test]
    public void Triangle() => Assert.That(Shapes.Classify(3), Is.EqualTo("triangle"));

    [Test]
    public void Line() => Assert.That(Shapes.Classify(2), Is.EqualTo("not a polygon"));

    [TestCase(3, 2, 6)]
    [TestCase(5, 1, 5)]
    public void Perimeter(int sides, int length, int expected) => Assert.That(Shapes.Perimeter(sides, length), Is.EqualTo(expected));

    [Test]
    public void NegativeArea() => Assert.Throws<ArgumentOutOfRangeException>(() => Shapes.Area(-1, 2));
}
