namespace ContainerTest.Cli.Filtering;

using System.Text;
using ContainerTest.TestAdapter.Execution;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// A <c>dotnet test --filter</c> expression: conditions <c>Property=value</c>, <c>!=</c>,
/// <c>~</c> (contains), <c>!~</c> (does not contain) joined by <c>&amp;</c> and <c>|</c> with
/// parentheses (<c>&amp;</c> binds tighter); a bare value means <c>FullyQualifiedName~value</c>;
/// <c>\</c> escapes a special character. Properties are those the adapter filters on
/// (FullyQualifiedName, Name/DisplayName, ClassName, TestCategory and any trait); comparison
/// ignores case, as vstest's does.
/// </summary>
internal sealed class TestFilter
{
    private readonly Func<TestCase, bool> match;

    private TestFilter(string text, Func<TestCase, bool> match)
    {
        Text = text;
        this.match = match;
    }

    /// <summary>The expression as given.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="CliException">The expression is malformed (the message says where).</exception>
    public static TestFilter Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(text);
        var expression = parser.ParseOr();
        parser.ExpectEnd();
        return new TestFilter(text, expression);
    }

    /// <summary>True when the filter selects <paramref name="testCase"/>.</summary>
    public bool Matches(TestCase testCase) => match(testCase);

    private static Func<TestCase, bool> Condition(string property, string op, string value) => testCase =>
    {
        var values = TestCaseFilter.ValueOf(testCase, property) switch
        {
            null => [],
            string[] many => many,
            var one => [Convert.ToString(one, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty],
        };
        return op switch
        {
            "=" => values.Any(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase)),
            "!=" => !values.Any(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase)),
            "~" => values.Any(v => v.Contains(value, StringComparison.OrdinalIgnoreCase)),
            _ => !values.Any(v => v.Contains(value, StringComparison.OrdinalIgnoreCase)),
        };
    };

    private sealed class Parser(string text)
    {
        private int position;

        public Func<TestCase, bool> ParseOr()
        {
            var left = ParseAnd();
            while (Take('|'))
            {
                var l = left;
                var right = ParseAnd();
                left = tc => l(tc) || right(tc);
            }

            return left;
        }

        public void ExpectEnd()
        {
            SkipSpaces();
            if (position < text.Length)
            {
                throw Error($"unexpected '{text[position]}'");
            }
        }

        private Func<TestCase, bool> ParseAnd()
        {
            var left = ParsePrimary();
            while (Take('&'))
            {
                var l = left;
                var right = ParsePrimary();
                left = tc => l(tc) && right(tc);
            }

            return left;
        }

        private Func<TestCase, bool> ParsePrimary()
        {
            if (Take('('))
            {
                var inner = ParseOr();
                if (!Take(')'))
                {
                    throw Error("a '(' is not closed");
                }

                return inner;
            }

            var first = ReadWord(stopAtOperator: true);
            SkipSpaces();
            string op;
            if (Peek("!=") || Peek("!~"))
            {
                op = text.Substring(position, 2);
                position += 2;
            }
            else if (Peek("=") || Peek("~"))
            {
                op = text.Substring(position, 1);
                position += 1;
            }
            else
            {
                return first.Length > 0 ? Condition("FullyQualifiedName", "~", first) : throw Error("a condition is empty");
            }

            if (first.Length == 0)
            {
                throw Error($"'{op}' has no property name before it");
            }

            var value = ReadWord(stopAtOperator: false);
            return Condition(first, op, value);
        }

        private string ReadWord(bool stopAtOperator)
        {
            SkipSpaces();
            var word = new StringBuilder();
            while (position < text.Length)
            {
                var c = text[position];
                if (c == '\\' && position + 1 < text.Length)
                {
                    word.Append(text[position + 1]);
                    position += 2;
                    continue;
                }

                if (c is '&' or '|' or '(' or ')' || (stopAtOperator && c is '=' or '~' or '!'))
                {
                    break;
                }

                word.Append(c);
                position++;
            }

            return word.ToString().Trim();
        }

        private bool Take(char c)
        {
            SkipSpaces();
            if (position < text.Length && text[position] == c)
            {
                position++;
                return true;
            }

            return false;
        }

        private bool Peek(string token) => string.CompareOrdinal(text, position, token, 0, token.Length) == 0;

        private void SkipSpaces()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }

        private CliException Error(string what) =>
            new($"The filter '{text}' is not valid: {what} (at character {position + 1}). Write it as for `dotnet test --filter`, e.g. \"FullyQualifiedName~MyTest\" or \"Name=Test1|TestCategory=Slow\".");
    }
}
