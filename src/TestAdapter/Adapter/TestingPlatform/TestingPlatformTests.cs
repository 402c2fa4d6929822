namespace ContainerTest.TestAdapter.TestingPlatform;

using System.Text.Json;
using ContainerTest.Protocol;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// A Microsoft.Testing.Platform test (a node the framework discovered in the test application) as
/// the vstest test case ContainerTest's run keeps its books in: the name is the node's uid (the
/// framework's identity, which the job hands back to the framework), the source the test
/// application, and the application's arguments travel along for the job that runs it.
/// </summary>
internal static class TestingPlatformTests
{
    private static readonly TestProperty Arguments = TestProperty.Register(
        TestingPlatformWire.ArgumentsPropertyId,
        "Test application arguments",
        string.Empty,
        "The arguments a Microsoft.Testing.Platform test application runs with in its sandbox or container (a JSON array).",
        typeof(string),
        null,
        TestPropertyAttributes.Hidden,
        typeof(TestCase));

    /// <summary>The test case for the node <paramref name="uid"/> of <paramref name="application"/>.</summary>
    public static TestCase Create(string application, string uid, string displayName, IReadOnlyList<string> arguments)
    {
        var testCase = new TestCase(uid, new Uri(TestingPlatformWire.ExecutorUri), application) { DisplayName = displayName };
        testCase.SetPropertyValue(Arguments, JsonSerializer.Serialize(arguments));
        return testCase;
    }

    /// <summary>True for a test case made by <see cref="Create"/>.</summary>
    public static bool Is(TestCase testCase) =>
        string.Equals(testCase.ExecutorUri?.OriginalString, TestingPlatformWire.ExecutorUri, StringComparison.Ordinal);

    /// <summary>The node uid of a test case made by <see cref="Create"/>.</summary>
    public static string UidOf(TestCase testCase) => testCase.FullyQualifiedName;

    /// <summary>The arguments the test application of a test case made by <see cref="Create"/> runs with.</summary>
    public static IReadOnlyList<string> ArgumentsOf(TestCase testCase) =>
        JsonSerializer.Deserialize<string[]>(testCase.GetPropertyValue<string>(Arguments, null) ?? "[]") ?? [];
}
