namespace ContainerTest.Cli.Tests;

using ContainerTest.Cli.Filtering;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>The `dotnet test --filter` syntax the CLI commands take.</summary>
[TestClass]
public sealed class TestFilterTests
{
    private static readonly TestCase Fast = Case("Shop.Cart.Adds_an_item", "Adds an item", ("TestCategory", "Fast"));
    private static readonly TestCase Slow = Case("Shop.Cart.Checks_out", "Checks_out", ("TestCategory", "Slow"), ("Owner", "ann"));
    private static readonly TestCase Other = Case("Shop.Search.Finds (x)", "Finds (x)");

    [TestMethod]
    [DataRow("Cart", "Fast,Slow")]
    [DataRow("FullyQualifiedName=Shop.Cart.Checks_out", "Slow")]
    [DataRow("fullyqualifiedname=shop.cart.checks_out", "Slow")]
    [DataRow("FullyQualifiedName!=Shop.Cart.Checks_out", "Fast,Other")]
    [DataRow("Name~item", "Fast")]
    [DataRow("DisplayName=Adds an item", "Fast")]
    [DataRow("FullyQualifiedName!~Cart", "Other")]
    [DataRow("TestCategory=Slow|Name~item", "Fast,Slow")]
    [DataRow("Cart&TestCategory!=Slow", "Fast")]
    [DataRow("(Owner=ann|TestCategory=Fast)&FullyQualifiedName~Checks", "Slow")]
    [DataRow("Owner=ann | Search", "Slow,Other")]
    [DataRow("ClassName=Shop.Search", "Other")]
    [DataRow(@"Finds \(x\)", "Other")]
    public void Selects(string filter, string expected)
    {
        var all = new Dictionary<string, TestCase> { ["Fast"] = Fast, ["Slow"] = Slow, ["Other"] = Other };
        var parsed = TestFilter.Parse(filter);
        var selected = all.Where(pair => parsed.Matches(pair.Value)).Select(pair => pair.Key);
        Assert.AreEqual(expected, string.Join(',', selected), filter);
    }

    [TestMethod]
    [DataRow("(Name=a")]
    [DataRow("=a")]
    [DataRow("Name=a)")]
    [DataRow("Name=a|")]
    public void Rejects_malformed_filters_with_a_message_saying_how_to_write_one(string filter)
    {
        var error = Assert.ThrowsExactly<CliException>(() => TestFilter.Parse(filter));
        StringAssert.Contains(error.Message, $"The filter '{filter}' is not valid");
        StringAssert.Contains(error.Message, "dotnet test --filter");
    }

    private static TestCase Case(string fullyQualifiedName, string displayName, params (string Name, string Value)[] traits)
    {
        var testCase = new TestCase(fullyQualifiedName, new Uri("executor://test"), "test.dll") { DisplayName = displayName };
        foreach (var (name, value) in traits)
        {
            testCase.Traits.Add(name, value);
        }

        return testCase;
    }
}
