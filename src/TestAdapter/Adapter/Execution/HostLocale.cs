namespace ContainerTest.TestAdapter.Execution;

using System.Collections;

/// <summary>
/// The run's time zone and locale, which a native run's tests see: TZ, LANG, LANGUAGE and every
/// LC_* variable of the test host's environment (which is <c>dotnet test</c>'s). .NET takes the
/// local time zone from TZ and the current culture from LC_ALL, LC_MESSAGES or LANG.
/// </summary>
internal static class HostLocale
{
    /// <summary>The locale variables of <paramref name="environment"/> that have a value.</summary>
    public static Dictionary<string, string> Variables(IDictionary environment)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string name && entry.Value is string { Length: > 0 } value
                && (name is "TZ" or "LANG" or "LANGUAGE" || name.StartsWith("LC_", StringComparison.Ordinal)))
            {
                variables[name] = value;
            }
        }

        return variables;
    }
}
