namespace SourceTreeFixture;

using NUnit.Framework;

/// <summary>
/// Test cases generated from files outside the solution's folder (docs/ beside src/), found
/// relative to the test assembly, as real suites do; and a file from a folder outside the
/// repository, named by FIXTURE_EXTRA_FILE (set through the run settings).
/// </summary>
[TestFixture]
public sealed class DocTests
{
    private static readonly string Docs = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "docs"));

    public static IEnumerable<string> Pages() =>
        Directory.Exists(Docs) ? Directory.GetFiles(Docs, "*.md").Select(Path.GetFileName).Order(StringComparer.Ordinal)! : [];

    [TestCaseSource(nameof(Pages))]
    public void PageHasATitle(string page) => Assert.That(File.ReadAllText(Path.Combine(Docs, page)), Does.StartWith("# "));

    [Test]
    public void ReadsAFileOutsideTheRepository()
    {
        var path = Environment.GetEnvironmentVariable("FIXTURE_EXTRA_FILE");
        Assume.That(path, Is.Not.Null.And.Not.Empty, "FIXTURE_EXTRA_FILE is not set");
        Assert.That(File.ReadAllText(path!), Is.EqualTo("from outside the repository"));
    }
}
