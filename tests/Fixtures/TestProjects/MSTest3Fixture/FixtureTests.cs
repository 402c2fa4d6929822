namespace MSTest3Fixture;

using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>MSTest 3.x: outcomes, output, data rows, an attachment, an ignored test, the runsettings environment.</summary>
[TestClass]
public sealed class FixtureTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void Passes() => Console.WriteLine("hello from MSTest 3");

    [TestMethod]
    public void Fails() => Assert.Fail("failing on purpose in MSTest 3");

    [TestMethod]
    [DataRow("a")]
    [DataRow("b")]
    [DataRow("c")]
    public void Rows(string value) => Assert.AreEqual(1, value.Length);

    [TestMethod]
    public void AttachesAFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "attachment-from-container.txt");
        File.WriteAllText(path, "written inside the container by " + Environment.MachineName);
        TestContext.AddResultFile(path);
    }

    [TestMethod]
    public void SeesTheRunSettingsEnvironment() =>
        Console.WriteLine("FIXTURE_VARIABLE=" + Environment.GetEnvironmentVariable("FIXTURE_VARIABLE"));

    [TestMethod]
    [Ignore("ignored on purpose")]
    public void Ignored() => Assert.Fail("should not run");
}
