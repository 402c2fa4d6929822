namespace ContainerTest.TestingPlatform;

using System.Reflection;
using System.Text.Json.Nodes;

/// <summary>
/// An exception a test threw in its sandbox or container, rebuilt on the host for the platform's
/// reporters: its message, stack trace and inner exceptions as they were. Where the original type
/// is loaded here and can be made from a message, the rebuilt exception is of that type (so the
/// reporters name it as natively); otherwise it is a <see cref="RemoteException"/> that carries the
/// type's name in <see cref="ToString"/>.
/// </summary>
public sealed class RemoteException : Exception
{
    /// <summary>The tag of an exception in <see cref="NodeJson"/>.</summary>
    internal const string Tag = "$exception";

    private readonly string? stackTrace;

    /// <summary>An exception of type <paramref name="typeName"/> that was thrown elsewhere.</summary>
    public RemoteException(string typeName, string message, string? stackTrace, Exception? innerException)
        : base(message, innerException)
    {
        TypeName = typeName;
        this.stackTrace = stackTrace;
    }

    /// <summary>The full name of the exception's own type.</summary>
    public string TypeName { get; }

    /// <inheritdoc />
    public override string? StackTrace => stackTrace;

    /// <inheritdoc />
    public override string ToString() =>
        $"{TypeName}: {Message}{(InnerException is null ? string.Empty : " ---> " + InnerException)}{(stackTrace is null ? string.Empty : Environment.NewLine + stackTrace)}";

    /// <summary>Writes <paramref name="exception"/> with its inner exceptions (all of an aggregate's).</summary>
    internal static JsonObject Write(Exception exception)
    {
        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : (IEnumerable<Exception>)(exception.InnerException is { } one ? [one] : []);
        return new JsonObject
        {
            ["$t"] = Tag,
            ["type"] = exception is RemoteException remote ? remote.TypeName : exception.GetType().FullName,
            ["message"] = exception.Message,
            ["stackTrace"] = exception.StackTrace,
            ["inner"] = new JsonArray(inner.Select(e => (JsonNode)Write(e)).ToArray()),
        };
    }

    /// <summary>Rebuilds an exception written by <see cref="Write"/>.</summary>
    internal static Exception Read(JsonObject json)
    {
        var typeName = json["type"]?.GetValue<string>() ?? typeof(Exception).FullName!;
        var message = json["message"]?.GetValue<string>() ?? string.Empty;
        var stack = json["stackTrace"]?.GetValue<string>();
        var inner = (json["inner"] as JsonArray ?? []).OfType<JsonObject>().Select(Read).ToList();
        if (typeName == typeof(AggregateException).FullName)
        {
            return WithStackTrace(new AggregateException(message, inner), stack) ?? new RemoteException(typeName, message, stack, inner.FirstOrDefault());
        }

        return Native(typeName, message, stack, inner.FirstOrDefault()) ?? new RemoteException(typeName, message, stack, inner.FirstOrDefault());
    }

    /// <summary>The exception as its own type, when that is loaded and takes a message (and an inner exception).</summary>
    private static Exception? Native(string typeName, string message, string? stack, Exception? inner)
    {
        if (NodeJson.Resolve(typeName) is not { } type || !typeof(Exception).IsAssignableFrom(type) || type.IsAbstract)
        {
            return null;
        }

        try
        {
            var exception = inner is null
                ? type.GetConstructor([typeof(string)])?.Invoke([message]) as Exception
                : type.GetConstructor([typeof(string), typeof(Exception)])?.Invoke([message, inner]) as Exception;
            return exception is not null && exception.Message == message ? WithStackTrace(exception, stack) : null;
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Gives an exception that was never thrown the stack trace it had where it was: the runtime's
    /// field for a stack trace from elsewhere, which <see cref="Exception.StackTrace"/> returns as it is.
    /// </summary>
    private static Exception? WithStackTrace(Exception exception, string? stack)
    {
        if (stack is null)
        {
            return exception;
        }

        var field = typeof(Exception).GetField("_remoteStackTraceString", BindingFlags.Instance | BindingFlags.NonPublic);
        if (field is null)
        {
            return null;
        }

        field.SetValue(exception, stack);
        return exception.StackTrace == stack ? exception : null;
    }
}
