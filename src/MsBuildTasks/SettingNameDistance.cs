namespace ContainerTest.MsBuildTasks;

/// <summary>Which known setting name a misspelled one most likely meant (fewest single-character edits, case ignored).</summary>
internal static class SettingNameDistance
{
    public static string Closest(string name, IEnumerable<string> known) =>
        known.OrderBy(k => Distance(name.ToUpperInvariant(), k.ToUpperInvariant())).ThenBy(k => k, StringComparer.Ordinal).First();

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
