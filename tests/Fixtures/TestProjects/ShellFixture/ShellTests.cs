namespace ShellFixture;

using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>Two tests that leave a file behind (one passes, one fails) and one more that matches "Leaves".</summary>
[TestClass]
public sealed class ShellTests
{
    [TestMethod]
    public void Leaves_a_file_and_passes() => File.WriteAllText("/tmp/left-by-passing-test", "passed\n");

    [TestMethod]
    public void Leaves_a_file_and_fails()
    {
        File.WriteAllText("/tmp/left-by-failing-test", "failed\n");
        Assert.Fail("the deliberate failure of ShellFixture");
    }

    [TestMethod]
    public void Adds_two_and_two() => Assert.AreEqual("4", (2 + 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
}
