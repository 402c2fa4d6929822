namespace ContainerTest.TestingPlatform;

using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Testing.Platform.Extensions.Messages;

/// <summary>
/// Carries a framework's test node across the process boundary between a test application in its
/// sandbox or container and the same application on the host: its uid, display name and every
/// property, whatever its type — the platform's own (state with its exception, timing, output,
/// location…) and other extensions' (TRX's exception and messages…) — written as their public
/// members and rebuilt through the type's constructor on the far side, where the same assemblies
/// are loaded. A property that cannot be rebuilt is left out and named in <c>dropped</c>.
/// Exceptions come back as <see cref="RemoteException"/>s (or their own type where it can be made),
/// and a file a property points at is copied along (up to <see cref="MaxFileBytes"/>).
/// </summary>
internal static class NodeJson
{
    /// <summary>Files larger than this are named but not copied.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private const string TypeKey = "$t";

    /// <summary>Writes <paramref name="node"/>.</summary>
    public static JsonObject Write(TestNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var properties = new JsonArray();
        foreach (var property in node.Properties.AsEnumerable())
        {
            properties.Add(WriteValue(property));
        }

        return new JsonObject { ["uid"] = node.Uid.Value, ["displayName"] = node.DisplayName, ["properties"] = properties };
    }

    /// <summary>
    /// Rebuilds a node written by <see cref="Write"/>. Files are written under <paramref name="fileFolder"/>.
    /// </summary>
    public static (string Uid, string DisplayName, List<IProperty> Properties) Read(JsonObject json, string fileFolder, List<string> dropped)
    {
        ArgumentNullException.ThrowIfNull(json);
        var properties = new List<IProperty>();
        foreach (var item in json["properties"] as JsonArray ?? [])
        {
            try
            {
                if (ReadValue(item, typeof(IProperty), fileFolder) is IProperty property)
                {
                    properties.Add(property);
                    continue;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or TargetInvocationException or MemberAccessException or NotSupportedException or InvalidCastException or OverflowException or IOException)
            {
                // Named below: a property that cannot be rebuilt here is left out.
            }

            dropped.Add(item?[TypeKey]?.GetValue<string>() ?? "?");
        }

        return (json["uid"]?.GetValue<string>() ?? string.Empty, json["displayName"]?.GetValue<string>() ?? string.Empty, properties);
    }

    private static JsonNode? WriteValue(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case string text:
                return JsonValue.Create(text);
            case bool flag:
                return JsonValue.Create(flag);
            case Exception exception:
                return RemoteException.Write(exception);
            case FileInfo file:
                var json = new JsonObject { [TypeKey] = "$file", ["path"] = file.FullName };
                if (file.Exists && file.Length <= MaxFileBytes)
                {
                    json["content"] = Convert.ToBase64String(File.ReadAllBytes(file.FullName));
                }

                return json;
            case Type:
            case Delegate:
            case Assembly:
            case MemberInfo:
                return null; // nothing a result can carry across
        }

        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is decimal or DateTimeOffset or DateTime or TimeSpan or Guid)
        {
            return new JsonObject { [TypeKey] = NameOf(type), ["v"] = Format(value) };
        }

        if (value is IEnumerable items)
        {
            var array = new JsonArray();
            foreach (var item in items)
            {
                array.Add(WriteValue(item));
            }

            return new JsonObject { [TypeKey] = "$array", ["items"] = array };
        }

        var members = new JsonObject();
        foreach (var property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (property.GetIndexParameters().Length == 0 && property.CanRead)
            {
                members[property.Name] = WriteValue(property.GetValue(value));
            }
        }

        return new JsonObject { [TypeKey] = NameOf(type), ["m"] = members };
    }

    private static object? ReadValue(JsonNode? json, Type expected, string fileFolder)
    {
        if (json is null)
        {
            return null;
        }

        if (json is JsonValue plain)
        {
            return plain.TryGetValue<bool>(out var flag) && (expected == typeof(bool) || expected == typeof(bool?) || expected == typeof(object)) ? flag : plain.GetValue<string>();
        }

        if (json is not JsonObject tagged || tagged[TypeKey]?.GetValue<string>() is not { } typeName)
        {
            throw new FormatException("An untagged value.");
        }

        switch (typeName)
        {
            case RemoteException.Tag:
                return RemoteException.Read(tagged);
            case "$file":
                return ReadFile(tagged, fileFolder);
            case "$array":
                var element = expected.IsArray ? expected.GetElementType()! : ElementTypeOf(expected) ?? typeof(object);
                var items = (tagged["items"] as JsonArray ?? []).Select(i => ReadValue(i, element, fileFolder)).ToList();
                var array = Array.CreateInstance(element, items.Count);
                for (var i = 0; i < items.Count; i++)
                {
                    array.SetValue(items[i], i);
                }

                return array;
        }

        var type = Resolve(typeName) ?? throw new InvalidOperationException($"The type {typeName} is not loaded here.");
        if (tagged["v"]?.GetValue<string>() is { } text)
        {
            return Parse(text, type);
        }

        var members = (tagged["m"] as JsonObject ?? []).ToDictionary(m => m.Key, m => m.Value, StringComparer.OrdinalIgnoreCase);
        return Construct(type, members, fileFolder);
    }

    /// <summary>Makes <paramref name="type"/> through the public constructor that takes the most of <paramref name="members"/>, then sets the rest.</summary>
    private static object Construct(Type type, Dictionary<string, JsonNode?> members, string fileFolder)
    {
        foreach (var constructor in type.GetConstructors(BindingFlags.Instance | BindingFlags.Public).OrderByDescending(c => c.GetParameters().Length))
        {
            var parameters = constructor.GetParameters();
            if (!parameters.All(p => (p.Name is { } name && members.ContainsKey(name)) || p.HasDefaultValue))
            {
                continue;
            }

            var arguments = parameters.Select(p => p.Name is { } name && members.TryGetValue(name, out var member) ? ReadValue(member, p.ParameterType, fileFolder) : p.DefaultValue).ToArray();
            var instance = constructor.Invoke(arguments);
            SetRemaining(instance, members.Where(m => !parameters.Any(p => string.Equals(p.Name, m.Key, StringComparison.OrdinalIgnoreCase))), fileFolder);
            return instance;
        }

        if (type.IsValueType)
        {
            var instance = Activator.CreateInstance(type)!;
            SetRemaining(instance, members, fileFolder);
            return instance;
        }

        throw new InvalidOperationException($"{type.FullName} has no constructor that takes its members.");
    }

    private static void SetRemaining(object instance, IEnumerable<KeyValuePair<string, JsonNode?>> members, string fileFolder)
    {
        foreach (var (name, json) in members)
        {
            var property = instance.GetType().GetProperty(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.IgnoreCase);
            if (property is { CanWrite: true } && property.SetMethod!.IsPublic)
            {
                var value = ReadValue(json, property.PropertyType, fileFolder);
                if (!Equals(property.GetValue(instance), value))
                {
                    property.SetValue(instance, value);
                }
            }
        }
    }

    private static FileInfo ReadFile(JsonObject json, string fileFolder)
    {
        var path = json["path"]?.GetValue<string>() ?? throw new FormatException("A file without a path.");
        if (json["content"]?.GetValue<string>() is not { } content)
        {
            return new FileInfo(path);
        }

        // The file was made in the sandbox or container, which is gone: its copy lives on the host.
        Directory.CreateDirectory(fileFolder);
        var copy = Path.Combine(fileFolder, Path.GetFileName(path));
        File.WriteAllBytes(copy, Convert.FromBase64String(content));
        return new FileInfo(copy);
    }

    private static Type? ElementTypeOf(Type collection) =>
        collection.IsGenericType && collection.GetGenericArguments() is [var single] ? single
        : collection.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static string NameOf(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    /// <summary>A type by its full name, among the assemblies loaded in this process.</summary>
    internal static Type? Resolve(string name)
    {
        if (Type.GetType(name, throwOnError: false) is { } type)
        {
            return type;
        }

        var fullName = name.Split(',')[0].Trim();
        return AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(fullName, throwOnError: false)).FirstOrDefault(t => t is not null);
    }

    private static string Format(object value) => value switch
    {
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        TimeSpan span => span.Ticks.ToString(CultureInfo.InvariantCulture),
        Enum e => Convert.ToInt64(e, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static object Parse(string text, Type type) => type switch
    {
        _ when type == typeof(DateTimeOffset) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        _ when type == typeof(DateTime) => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        _ when type == typeof(TimeSpan) => TimeSpan.FromTicks(long.Parse(text, CultureInfo.InvariantCulture)),
        _ when type == typeof(Guid) => Guid.Parse(text),
        _ when type.IsEnum => Enum.ToObject(type, long.Parse(text, CultureInfo.InvariantCulture)),
        _ => Convert.ChangeType(text, type, CultureInfo.InvariantCulture),
    };
}
