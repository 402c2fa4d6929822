namespace ContainerTest.TestAdapter.Scheduling;

using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// What identifies a test from one run to the next in the duration history: its assembly's file
/// name, its fully qualified name and its display name (data rows of one method share the
/// first two). The assembly's path is left out so that the history survives moving the tree.
/// </summary>
internal readonly record struct TestKey(string Source, string FullyQualifiedName, string DisplayName)
{
    public static TestKey Of(TestCase testCase) =>
        new(Path.GetFileName(testCase.Source ?? string.Empty), testCase.FullyQualifiedName ?? string.Empty, testCase.DisplayName ?? string.Empty);
}
