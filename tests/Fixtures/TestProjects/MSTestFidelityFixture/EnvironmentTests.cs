namespace MSTestFidelityFixture;

using System.Globalization;
using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>What a test sees of the environment it runs in.</summary>
[TestClass]
public sealed class EnvironmentTests
{
    [TestMethod]
    public void ReportsZoneAndCulture()
    {
        Console.WriteLine($"zone={TimeZoneInfo.Local.Id} culture={CultureInfo.CurrentCulture.Name} decimal={1.5.ToString(CultureInfo.CurrentCulture)}");
        Assert.IsNotNull(TimeZoneInfo.Local.Id);
    }
}
