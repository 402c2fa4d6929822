namespace ContainerTest.Protocol;

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

/// <summary>
/// One test property's value as JSON, in the shape System.Text.Json's default converters give it
/// (strings, numbers, a Guid in its "D" form, a Uri as its original string, a TimeSpan in its
/// "c" form, dates in ISO 8601, an enum as its number, a string array as an array), written and
/// read directly for the types test objects carry (string, Guid, int, Uri, string[], enums…).
/// Only other types go through the reflection-based serializer: its first use costs a short
/// process about 15 ms of CPU (measured on the 2-core CI machine: 0.048 against 0.031 CPU-s for
/// a process writing and reading five such values), and every agent is such a process.
/// </summary>
internal static class PropertyValueJson
{
    /// <summary>The value as a JSON node.</summary>
    public static JsonNode? Write(object value) => value switch
    {
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        int number => JsonValue.Create(number),
        long number => JsonValue.Create(number),
        double number => JsonValue.Create(number),
        Guid guid => JsonValue.Create(guid),
        Uri uri => JsonValue.Create(uri.OriginalString),
        DateTimeOffset time => JsonValue.Create(time),
        DateTime time => JsonValue.Create(time),
        TimeSpan span => JsonValue.Create(span.ToString("c", CultureInfo.InvariantCulture)),
        Enum when Type.GetTypeCode(value.GetType()) != TypeCode.UInt64 => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        string[] texts => new JsonArray([.. texts.Select(t => (JsonNode?)JsonValue.Create(t))]),
        _ => JsonSerializer.SerializeToNode(value, value.GetType()),
    };

    /// <summary>
    /// The value of <paramref name="type"/> that <paramref name="node"/> holds. Throws
    /// <see cref="JsonException"/>, <see cref="FormatException"/>, <see cref="OverflowException"/>,
    /// <see cref="InvalidOperationException"/> or <see cref="NotSupportedException"/> when it does not hold one.
    /// </summary>
    public static object? Read(JsonNode node, Type type)
    {
        var kind = node.GetValueKind();
        if (kind == JsonValueKind.Null)
        {
            return null;
        }

        if (type == typeof(string) && kind == JsonValueKind.String)
        {
            return node.GetValue<string>();
        }

        if (type == typeof(bool) && kind is JsonValueKind.True or JsonValueKind.False)
        {
            return node.GetValue<bool>();
        }

        if (type == typeof(int) && kind == JsonValueKind.Number)
        {
            return node.GetValue<int>();
        }

        if (type == typeof(long) && kind == JsonValueKind.Number)
        {
            return node.GetValue<long>();
        }

        if (type == typeof(double) && kind == JsonValueKind.Number)
        {
            return node.GetValue<double>();
        }

        if (type == typeof(Guid) && kind == JsonValueKind.String)
        {
            return node.GetValue<Guid>();
        }

        if (type == typeof(Uri) && kind == JsonValueKind.String)
        {
            return Uri.TryCreate(node.GetValue<string>(), UriKind.RelativeOrAbsolute, out var uri) ? uri : throw new FormatException("not a URI");
        }

        if (type == typeof(DateTimeOffset) && kind == JsonValueKind.String)
        {
            return node.GetValue<DateTimeOffset>();
        }

        if (type == typeof(DateTime) && kind == JsonValueKind.String)
        {
            return node.GetValue<DateTime>();
        }

        if (type == typeof(TimeSpan) && kind == JsonValueKind.String)
        {
            return TimeSpan.ParseExact(node.GetValue<string>(), "c", CultureInfo.InvariantCulture);
        }

        if (type.IsEnum && Type.GetTypeCode(type) != TypeCode.UInt64 && kind == JsonValueKind.Number)
        {
            return Enum.ToObject(type, node.GetValue<long>());
        }

        if (type == typeof(string[]) && node is JsonArray items && items.All(i => i?.GetValueKind() == JsonValueKind.String))
        {
            return items.Select(i => i!.GetValue<string>()).ToArray();
        }

        return node.Deserialize(type);
    }
}
