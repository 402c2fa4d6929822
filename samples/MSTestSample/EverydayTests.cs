namespace MSTestSample;

using System.Text.Json;

/// <summary>Ordinary tests, reported exactly as a native run reports them: output, data rows, a failure.</summary>
[TestClass]
public sealed class EverydayTests
{
    [TestMethod]
    public void WritesToTheConsole()
    {
        Console.WriteLine($"hello from MSTest inside the container {Environment.MachineName}");
        Console.Error.WriteLine("and a line on stderr");
    }

    [TestMethod]
    [DataRow(1, 1, 2)]
    [DataRow(2, 3, 5)]
    [DataRow(40, 2, 42)]
    public void AddsNumbers(int a, int b, int sum) => Assert.AreEqual(sum, a + b);

    [TestMethod]
    public void FindsItsContentFiles()
    {
        var settings = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        using var json = JsonDocument.Parse(File.ReadAllText(settings));
        Assert.AreEqual("hello from appsettings.json", json.RootElement.GetProperty("Greeting").GetString());
        Console.WriteLine($"running in {Environment.MachineName} from {AppContext.BaseDirectory}");
    }

    [TestMethod]
    public void FailsOnPurpose()
    {
        var answer = 40 + 1;
        Assert.AreEqual(42, answer, "Expected 42 but the answer was 41 — this sample fails on purpose.");
    }
}
