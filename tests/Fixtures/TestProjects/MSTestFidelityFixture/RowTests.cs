namespace MSTestFidelityFixture;

using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>Data rows: each has a name of its own in every report.</summary>
[TestClass]
public sealed class RowTests
{
    [TestMethod]
    [DataRow(1, "odd")]
    [DataRow(2, "even")]
    [DataRow(3, "odd")]
    public void Classifies(int number, string kind) => Assert.AreEqual(kind, number % 2 == 0 ? "even" : "odd");
}
