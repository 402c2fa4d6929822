namespace ContainerTest.TestAdapter.Selection;

/// <summary>How vstest asked for the run — which decides, for some frameworks, what runs.</summary>
internal enum RunKind
{
    /// <summary><c>RunTests(sources)</c> with no filter: <c>dotnet test</c> of everything.</summary>
    AllOfSources,

    /// <summary><c>RunTests(sources)</c> with a filter: <c>dotnet test --filter …</c>.</summary>
    FilteredSources,

    /// <summary><c>RunTests(testCases)</c> from an IDE (design mode): the tests a person selected.</summary>
    TestCasesInIde,

    /// <summary><c>RunTests(testCases)</c> outside an IDE (<c>vstest.console /Tests:</c>).</summary>
    TestCases,
}
