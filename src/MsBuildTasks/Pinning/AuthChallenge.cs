namespace ContainerTest.MsBuildTasks.Pinning;

using System.Text;

/// <summary>
/// One <c>WWW-Authenticate</c> challenge of a registry: its scheme (<c>Bearer</c> or <c>Basic</c>)
/// and parameters (<c>realm</c>, <c>service</c>, <c>scope</c>…), as the Docker registry token
/// specification describes: <c>Bearer realm="https://auth.example/token",service="registry.example",scope="repository:x:pull"</c>.
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>The parameter <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>Parses one header value; null when it names no scheme.</summary>
    public static AuthChallenge? Parse(string header)
    {
        var text = (header ?? string.Empty).Trim();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? text : text[..space];
        if (scheme.Length == 0)
        {
            return null;
        }

        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = space < 0 ? text.Length : space + 1;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ' ' || text[i] == ','))
            {
                i++;
            }

            var equals = text.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var name = text[i..equals].Trim();
            i = equals + 1;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i]);
                }

                i++;
            }
            else
            {
                for (; i < text.Length && text[i] != ','; i++)
                {
                    value.Append(text[i]);
                }
            }

            if (name.Length > 0)
            {
                parameters[name] = value.ToString().Trim();
            }
        }

        return new AuthChallenge(scheme, parameters);
    }
}
