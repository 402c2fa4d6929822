namespace ManyTestsFixture;

/// <summary>Each test claims /tmp/claimed: it must find it absent, as in a fresh container.</summary>
internal static class Isolated
{
    public static void WriteMarker(int test)
    {
        const string Path = "/tmp/claimed";
        Assert.IsFalse(File.Exists(Path), $"test {test} found {Path} written by test {(File.Exists(Path) ? File.ReadAllText(Path) : "?")}");
        File.WriteAllText(Path, test.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
