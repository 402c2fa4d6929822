namespace NUnitFidelityFixture;

using NUnit.Framework;

/// <summary>Test cases whose arguments hold control characters: a name-based filter cannot select them one by one.</summary>
[TestFixture]
public sealed class ControlCharacterTests
{
    [TestCase('\u0001')]
    [TestCase('\u001f')]
    public void IsControl(char c) => Assert.That(char.IsControl(c), Is.True);

    [TestCase("a\u0002b")]
    public void HoldsStartOfText(string text) => Assert.That(text, Does.Contain("\u0002"));

    // A quote, a backslash and the characters regular expressions treat specially, beside one that needs escaping.
    [TestCase("it's \\ (x+y)*[z]? $1 \u0003")]
    public void HoldsEndOfText(string text) => Assert.That(text, Does.EndWith("\u0003"));
}
