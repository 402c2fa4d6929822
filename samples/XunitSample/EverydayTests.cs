namespace XunitSample;

using System.Text.Json;
using Xunit.Abstractions;

/// <summary>Ordinary tests, reported exactly as a native run reports them: output, theories, a failure.</summary>
public sealed class EverydayTests(ITestOutputHelper output)
{
    [Fact]
    public void WritesTestOutput() => output.WriteLine($"hello from xUnit inside the container {Environment.MachineName}");

    [Theory]
    [InlineData(1, 1, 2)]
    [InlineData(2, 3, 5)]
    [InlineData(40, 2, 42)]
    public void AddsNumbers(int a, int b, int sum) => Assert.Equal(sum, a + b);

    [Fact]
    public void FindsItsContentFiles()
    {
        var settings = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        using var json = JsonDocument.Parse(File.ReadAllText(settings));
        Assert.Equal("hello from appsettings.json", json.RootElement.GetProperty("Greeting").GetString());
        output.WriteLine($"running in {Environment.MachineName} from {AppContext.BaseDirectory}");
    }

    [Fact]
    public void FailsOnPurpose() => Assert.True(41 == 42, "Expected 42 but the answer was 41 — this sample fails on purpose.");
}
