namespace CoverageMSTestFixture;

using CoverageLibrary;

[TestClass]
public sealed class ShapeTests
{
    [TestMethod]
    public void Triangle() => Assert.AreEqual("triangle", Shapes.Classify(3));

    [TestMethod]
    public void Line() => Assert.AreEqual("not a polygon", Shapes.Classify(2));

    [TestMethod]
    [DataRow(3, 2, 6)]
    [DataRow(5, 1, 5)]
    public void Perimeter(int sides, int length, int expected) => Assert.AreEqual(expected, Shapes.Perimeter(sides, length));

    [TestMethod]
    public void NegativeArea() => Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Shapes.Area(-1, 2));
}
