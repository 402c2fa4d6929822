namespace ContainerTest.Protocol;

using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>What ContainerTest adds to a discovered test case: the framework executor it really belongs to.</summary>
public static class TestCaseTags
{
    /// <summary>ContainerTest's own executor URI: vstest hands every test to us.</summary>
    public const string ContainerTestExecutorUri = "executor://containertest/v1";

    /// <summary>The framework executor URI a test case had before we took it over.</summary>
    public static readonly TestProperty FrameworkExecutorUri = TestProperty.Register(
        "ContainerTest.FrameworkExecutorUri",
        "Framework executor",
        string.Empty,
        "The URI of the test framework's own executor, which runs the test inside its container.",
        typeof(string),
        null,
        TestPropertyAttributes.Hidden,
        typeof(TestCase));

    /// <summary>The framework adapter assembly that discovered the test case.</summary>
    public static readonly TestProperty FrameworkAdapterPath = TestProperty.Register(
        "ContainerTest.FrameworkAdapterPath",
        "Framework adapter",
        string.Empty,
        "The path of the test framework's VSTest adapter that discovered the test.",
        typeof(string),
        null,
        TestPropertyAttributes.Hidden,
        typeof(TestCase));

    /// <summary>
    /// Makes <paramref name="testCase"/> ours while keeping its identity: the Id the framework
    /// computed (which depends on its executor URI) is pinned before the URI changes.
    /// </summary>
    public static void TakeOver(TestCase testCase, string adapterPath)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        var id = testCase.Id;
        testCase.SetPropertyValue(FrameworkExecutorUri, testCase.ExecutorUri.OriginalString);
        testCase.SetPropertyValue(FrameworkAdapterPath, adapterPath);
        testCase.ExecutorUri = new Uri(ContainerTestExecutorUri);
        testCase.Id = id;
    }

    /// <summary>The framework executor URI of a test case we took over (or its own URI when it is not ours).</summary>
    public static string FrameworkExecutorOf(TestCase testCase)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        return testCase.GetPropertyValue<string>(FrameworkExecutorUri, null) ?? testCase.ExecutorUri.OriginalString;
    }

    /// <summary>The framework adapter that discovered a test case we took over.</summary>
    public static string? FrameworkAdapterOf(TestCase testCase)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        return testCase.GetPropertyValue<string>(FrameworkAdapterPath, null);
    }

    /// <summary>
    /// A copy of <paramref name="testCase"/> addressed to its framework's own executor, for the
    /// results reported for it: loggers pick framework-specific handling by a result's executor
    /// URI (the JUnit logger takes MSTest's data-row names from the result only for MSTest's), as
    /// a native run would have it. Id, names, location, traits and every property are kept.
    /// </summary>
    public static TestCase FrameworkView(TestCase testCase)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        if (testCase.GetPropertyValue<string>(FrameworkExecutorUri, null) is not { } uri)
        {
            return testCase;
        }

        var view = new TestCase(testCase.FullyQualifiedName, new Uri(uri), testCase.Source);
        foreach (var property in testCase.Properties.Where(p => p != TestCaseProperties.ExecutorUri))
        {
            view.SetPropertyValue(property, testCase.GetPropertyValue(property));
        }

        view.Id = testCase.Id;
        return view;
    }
}
