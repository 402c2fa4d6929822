namespace ContainerTest.TestAdapter.Execution;

using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Adapter;

/// <summary>
/// Applies <c>dotnet test --filter</c> to test cases discovered through a framework adapter, with
/// the property names the frameworks accept: FullyQualifiedName, Name, DisplayName, ClassName,
/// TestCategory/Category, Priority, and any trait by its name.
/// </summary>
internal static class TestCaseFilter
{
    private static readonly string[] CategoryNames = ["TestCategory", "Category"];

    /// <summary>The test cases the run's filter selects (all when there is no filter).</summary>
    public static IReadOnlyList<TestCase> Apply(IReadOnlyList<TestCase> testCases, IRunContext runContext)
    {
        var filter = runContext.GetTestCaseFilter(null, FindProperty);
        return filter is null ? testCases : testCases.Where(tc => filter.MatchTestCase(tc, name => ValueOf(tc, name))).ToList();
    }

    /// <summary>True when the run has a filter (<c>dotnet test --filter</c>).</summary>
    public static bool IsGiven(IRunContext runContext) => runContext.GetTestCaseFilter(null, FindProperty) is not null;

    private static TestProperty? FindProperty(string name) => name switch
    {
        "FullyQualifiedName" => TestCaseProperties.FullyQualifiedName,
        "DisplayName" or "Name" => TestCaseProperties.DisplayName,
        _ => TestProperty.Find(name),
    };

    internal static object? ValueOf(TestCase testCase, string name)
    {
        switch (name)
        {
            case "FullyQualifiedName":
                return testCase.FullyQualifiedName;
            case "DisplayName" or "Name":
                return testCase.DisplayName;
            case "ClassName":
                var fqn = testCase.FullyQualifiedName;
                var dot = fqn.LastIndexOf('.');
                return dot > 0 ? fqn[..dot] : fqn;
        }

        var values = new List<string>();
        var isCategory = CategoryNames.Contains(name, StringComparer.OrdinalIgnoreCase);
        foreach (var trait in testCase.Traits)
        {
            if (string.Equals(trait.Name, name, StringComparison.OrdinalIgnoreCase)
                || (isCategory && CategoryNames.Contains(trait.Name, StringComparer.OrdinalIgnoreCase)))
            {
                values.Add(trait.Value);
            }
        }

        foreach (var property in testCase.Properties)
        {
            if (string.Equals(property.Label, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(property.Id, name, StringComparison.OrdinalIgnoreCase)
                || (isCategory && CategoryNames.Any(c => property.Id.EndsWith(c, StringComparison.OrdinalIgnoreCase))))
            {
                switch (testCase.GetPropertyValue(property))
                {
                    case string text:
                        values.Add(text);
                        break;
                    case string[] texts:
                        values.AddRange(texts);
                        break;
                    case { } other:
                        values.Add(Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
                        break;
                }
            }
        }

        return values.Count switch
        {
            0 => null,
            1 => values[0],
            _ => values.Distinct(StringComparer.Ordinal).ToArray(),
        };
    }
}
