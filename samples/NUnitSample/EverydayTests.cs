namespace NUnitSample;

using System.Text.Json;

/// <summary>Ordinary tests, reported exactly as a native run reports them: output, test cases, a failure.</summary>
[TestFixture]
public sealed class EverydayTests
{
    [Test]
    public void WritesToTheConsole()
    {
        Console.WriteLine($"hello from NUnit inside the container {Environment.MachineName}");
        TestContext.Out.WriteLine("and a line through TestContext.Out");
    }

    [TestCase(1, 1, 2)]
    [TestCase(2, 3, 5)]
    [TestCase(40, 2, 42)]
    public void AddsNumbers(int a, int b, int sum) => Assert.That(a + b, Is.EqualTo(sum));

    [Test]
    public void FindsItsContentFiles()
    {
        var settings = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        using var json = JsonDocument.Parse(File.ReadAllText(settings));
        Assert.That(json.RootElement.GetProperty("Greeting").GetString(), Is.EqualTo("hello from appsettings.json"));
        Console.WriteLine($"running in {Environment.MachineName} from {AppContext.BaseDirectory}");
    }

    [Test]
    public void FailsOnPurpose() => Assert.That(41, Is.EqualTo(42), "Expected 42 but the answer was 41 — this sample fails on purpose.");
}
