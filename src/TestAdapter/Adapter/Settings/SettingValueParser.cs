namespace ContainerTest.TestAdapter.Settings;

using System.Globalization;

/// <summary>Parses the text forms settings accept: switches, durations, sizes, counts.</summary>
internal static class SettingValueParser
{
    public const string BooleanForms = "true or false (also 1/0, on/off, yes/no)";
    public const string DurationForms = "a duration such as 90s, 10m, 1h, 1500ms or 00:10:00 (a bare number means seconds)";
    public const string SizeForms = "a size such as 512m, 2g, 65536k or a number of bytes";

    public static bool TryParseBoolean(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "on" or "yes":
                value = true;
                return true;
            case "false" or "0" or "off" or "no":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        var t = text.Trim().ToLowerInvariant();
        value = default;
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, seconds) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                value = TimeSpan.FromSeconds(number * seconds);
                return value > TimeSpan.Zero;
            }
        }

        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain))
        {
            value = TimeSpan.FromSeconds(plain);
            return value > TimeSpan.Zero;
        }

        return TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out value) && value > TimeSpan.Zero;
    }

    public static bool TryParseSize(string text, out long bytes)
    {
        var t = text.Trim().ToLowerInvariant().TrimEnd('b', 'i');
        bytes = 0;
        long multiplier = 1;
        if (t.Length > 0 && char.IsLetter(t[^1]))
        {
            multiplier = t[^1] switch
            {
                'k' => 1024L,
                'm' => 1024L * 1024,
                'g' => 1024L * 1024 * 1024,
                't' => 1024L * 1024 * 1024 * 1024,
                _ => 0,
            };
            t = t[..^1];
        }

        if (multiplier == 0 || !double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            return false;
        }

        bytes = (long)(number * multiplier);
        return true;
    }

    public static bool TryParsePositiveInt(string text, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;

    public static bool TryParsePositiveDouble(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value > 0;
}
