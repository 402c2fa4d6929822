namespace ContainerTest.Protocol;

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// Carries every property of a <see cref="TestObject"/> (a test case or a result) across a
/// process boundary as JSON — the framework's own properties included (xUnit's serialized test
/// case, MSTest's managed method, data-row execution ids…), so the far side sees the object
/// the framework made.
/// </summary>
public static class TestObjectJson
{
    /// <summary>Writes every property that has a value.</summary>
    public static JsonArray WriteProperties(TestObject testObject)
    {
        ArgumentNullException.ThrowIfNull(testObject);
        var properties = new JsonArray();
        foreach (var property in testObject.Properties)
        {
            var value = testObject.GetPropertyValue(property);
            if (value is null)
            {
                continue;
            }

            properties.Add(new JsonObject
            {
                ["id"] = property.Id,
                ["label"] = property.Label,
                ["category"] = property.Category,
                ["description"] = property.Description,
                ["valueType"] = property.ValueType,
                ["attributes"] = (int)property.Attributes,
                ["value"] = PropertyValueJson.Write(value),
            });
        }

        return properties;
    }

    /// <summary>Sets on <paramref name="target"/> every property written by <see cref="WriteProperties"/>.</summary>
    public static void ReadProperties(JsonArray properties, TestObject target)
    {
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(target);
        foreach (var node in properties)
        {
            if (node is not JsonObject entry || entry["id"]?.GetValue<string>() is not { } id)
            {
                continue;
            }

            var valueType = ResolveType(entry["valueType"]?.GetValue<string>());
            var property = TestProperty.Find(id) ?? TestProperty.Register(
                id,
                entry["label"]?.GetValue<string>() ?? id,
                entry["category"]?.GetValue<string>() ?? string.Empty,
                entry["description"]?.GetValue<string>() ?? string.Empty,
                valueType ?? typeof(string),
                null,
                (TestPropertyAttributes)(entry["attributes"]?.GetValue<int>() ?? 0),
                typeof(TestObject));
            var type = ResolveType(property.ValueType) ?? typeof(string);
            var value = entry["value"];
            target.SetPropertyValue(property, value is null ? null : ToValue(value, type));
        }
    }

    private static object? ToValue(JsonNode value, Type type)
    {
        try
        {
            return PropertyValueJson.Read(value, type);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or FormatException or OverflowException)
        {
            // A type System.Text.Json cannot rebuild: keep its JSON text rather than lose it.
            return value.ToJsonString();
        }
    }

    private static Type? ResolveType(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        var type = Type.GetType(name, throwOnError: false);
        if (type is not null)
        {
            return type;
        }

        // Types of a framework adapter loaded by path are not found by name: look among the loaded assemblies.
        var simpleName = name.Split(',')[0].Trim();
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            type = assembly.GetType(simpleName, throwOnError: false);
            if (type is not null)
            {
                return type;
            }
        }

        return null;
    }
}
