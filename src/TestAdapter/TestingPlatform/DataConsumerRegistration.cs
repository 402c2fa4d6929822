namespace ContainerTest.TestingPlatform;

using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Testing.Platform.Builder;
using Microsoft.Testing.Platform.Extensions.Messages;

/// <summary>
/// Adds a consumer of the platform's messages (what every extension the application publishes
/// to sees: results, whichever bus the framework used). The platform moved <c>IDataConsumer</c>
/// from <c>Microsoft.Testing.Platform.Extensions.TestHost</c> (1.x) to <c>Microsoft.Testing.Platform.Extensions</c>
/// (2.x), so the consumer is made at run time, as a proxy of whichever interface the application's
/// platform has, and registered through its <c>AddDataConsumer</c>.
/// </summary>
internal static class DataConsumerRegistration
{
    private static readonly string[] InterfaceNames = ["Microsoft.Testing.Platform.Extensions.IDataConsumer", "Microsoft.Testing.Platform.Extensions.TestHost.IDataConsumer"];

    /// <summary>Registers <paramref name="consume"/> for <paramref name="dataTypes"/> on <paramref name="builder"/>'s test host.</summary>
    /// <exception cref="InvalidOperationException">The platform has no data consumers as ContainerTest knows them.</exception>
    public static void Add(ITestApplicationBuilder builder, Type[] dataTypes, Func<IData, CancellationToken, Task> consume)
    {
        var platform = typeof(ITestApplicationBuilder).Assembly;
        var consumerType = InterfaceNames.Select(n => platform.GetType(n, throwOnError: false)).FirstOrDefault(t => t is not null)
            ?? throw new InvalidOperationException($"Microsoft.Testing.Platform {platform.GetName().Version} has no IDataConsumer.");
        var consumer = DispatchProxy.Create(consumerType, typeof(ConsumerProxy));
        ((ConsumerProxy)consumer).Configure(dataTypes, consume);

        var factoryType = typeof(Func<,>).MakeGenericType(typeof(IServiceProvider), consumerType);
        var services = Expression.Parameter(typeof(IServiceProvider), "services");
        var factory = Expression.Lambda(factoryType, Expression.Constant(consumer, consumerType), services).Compile();
        var add = builder.TestHost.GetType().GetInterfaces().Append(builder.TestHost.GetType())
            .SelectMany(t => t.GetMethods())
            .FirstOrDefault(m => m.Name == "AddDataConsumer" && !m.IsGenericMethodDefinition && m.GetParameters() is [var p] && p.ParameterType == factoryType)
            ?? throw new InvalidOperationException($"Microsoft.Testing.Platform {platform.GetName().Version} cannot add a data consumer.");
        add.Invoke(builder.TestHost, [factory]);
    }

    /// <summary>The consumer: its identity as an extension, the types it takes, and what it does with them.</summary>
#pragma warning disable CA1852 // DispatchProxy derives from it at run time
    public class ConsumerProxy : DispatchProxy
#pragma warning restore CA1852
    {
        private Type[] dataTypes = [];
        private Func<IData, CancellationToken, Task> consume = (_, _) => Task.CompletedTask;

        internal void Configure(Type[] types, Func<IData, CancellationToken, Task> handler)
        {
            dataTypes = types;
            consume = handler;
        }

        /// <inheritdoc />
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            "get_Uid" => "ContainerTest.JobReporter",
            "get_Version" => typeof(ConsumerProxy).Assembly.GetName().Version?.ToString() ?? "0.0.0",
            "get_DisplayName" => "ContainerTest",
            "get_Description" => "Reports the results of a test's sandbox or container home.",
            "IsEnabledAsync" => Task.FromResult(true),
            "get_DataTypesConsumed" => dataTypes,
            "ConsumeAsync" when args is [_, IData data, CancellationToken token] => consume(data, token),
            _ => throw new NotSupportedException($"ContainerTest's data consumer has no {targetMethod?.Name}."),
        };
    }
}
