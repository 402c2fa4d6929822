namespace ContainerTest.ContainerRuntime.Jobs;

using System.Globalization;

/// <summary>A numeric user and group id, as the kernel sees them (names need not exist in the image).</summary>
public sealed record UserIdentity(int Uid, int Gid)
{
    /// <summary>Root (0:0).</summary>
    public static UserIdentity Root { get; } = new(0, 0);

    /// <summary>Parses <c>uid</c> or <c>uid:gid</c> (decimal); a lone uid means the same gid.</summary>
    public static bool TryParse(string? text, out UserIdentity? identity)
    {
        identity = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Trim().Split(':');
        if (parts.Length > 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            || (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return false;
        }

        var gid = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : uid;
        identity = new UserIdentity(uid, gid);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Uid}:{Gid}");
}
