namespace NUnitFidelityFixture;

using NUnit.Framework;

/// <summary>Tests whose running depends on what else the run selects (NUnit's [Explicit]).</summary>
[TestFixture]
public sealed class SelectionTests
{
    [Test]
    public void PlainPass() => Assert.That(1 + 1, Is.EqualTo(2));

    [Test]
    [Explicit("run only when chosen by name")]
    public void ExplicitOne() => Assert.Fail("an explicit test ran although the run did not choose it");
}

/// <summary>A whole fixture that runs only when chosen.</summary>
[TestFixture]
[Explicit("the whole fixture is explicit")]
public sealed class ExplicitFixture
{
    [Test]
    public void InsideExplicitFixture() => Assert.Fail("a test of an explicit fixture ran although the run did not choose it");
}
