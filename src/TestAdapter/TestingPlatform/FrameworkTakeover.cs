namespace ContainerTest.TestingPlatform;

using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Testing.Platform.Builder;
using Microsoft.Testing.Platform.Capabilities.TestFramework;
using Microsoft.Testing.Platform.Extensions.TestFramework;

/// <summary>
/// Puts ContainerTest between the platform and the registered test framework: the factory the
/// framework registered is wrapped, so the platform gets ContainerTest's framework, which holds
/// the real one. The platform allows one registration only and offers no public way to wrap it,
/// so this reaches its builder's framework manager by reflection — the same members
/// (<c>TestApplicationBuilder._testHostBuilder</c>, <c>TestHostBuilder.TestFramework</c>, a
/// <c>TestFrameworkManager(frameworkFactory, capabilitiesFactory)</c>) in every Microsoft.Testing.Platform
/// from 1.x to 2.x. Where they are not found, the application runs natively and says so once on stderr.
/// </summary>
internal static class FrameworkTakeover
{
    private const BindingFlags Members = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly ConditionalWeakTable<ITestApplicationBuilder, object> Done = new();

    /// <summary>Wraps the framework <paramref name="builder"/> has registered with <paramref name="wrap"/> (once per builder).</summary>
    public static void Wrap(ITestApplicationBuilder builder, Func<ITestFramework, IServiceProvider, ITestFramework> wrap)
    {
        if (Done.TryGetValue(builder, out _))
        {
            return;
        }

        Done.AddOrUpdate(builder, wrap);
        string problem;
        try
        {
            if (TryWrap(builder, wrap, out problem))
            {
                return;
            }
        }
        catch (Exception ex) when (ex is TargetInvocationException or MemberAccessException or ArgumentException or InvalidCastException or NotSupportedException)
        {
            problem = $"{ex.GetType().Name}: {ex.Message}";
        }

        Console.Error.WriteLine(
            $"warning CT0003: ContainerTest cannot take over the tests of this Microsoft.Testing.Platform {typeof(ITestApplicationBuilder).Assembly.GetName().Version} application ({problem}), so they run natively, in this process. "
            + "Please report it with the platform's version; ContainerTest=false silences this.");
    }

    private static bool TryWrap(ITestApplicationBuilder builder, Func<ITestFramework, IServiceProvider, ITestFramework> wrap, out string problem)
    {
        var hostBuilderField = builder.GetType().GetField("_testHostBuilder", Members)
            ?? builder.GetType().GetFields(Members).FirstOrDefault(f => f.FieldType.Name == "TestHostBuilder");
        if (hostBuilderField?.GetValue(builder) is not { } hostBuilder)
        {
            problem = $"{builder.GetType().FullName} holds no test host builder";
            return false;
        }

        var frameworkProperty = hostBuilder.GetType().GetProperty("TestFramework", Members);
        if (frameworkProperty is not { CanRead: true, CanWrite: true } || frameworkProperty.GetValue(hostBuilder) is not { } manager)
        {
            problem = "no test framework is registered, or its registration cannot be reached";
            return false;
        }

        var managerType = manager.GetType();
        if (managerType.GetProperty("TestFrameworkFactory", Members)?.GetValue(manager) is not Func<ITestFrameworkCapabilities, IServiceProvider, ITestFramework> factory
            || managerType.GetProperty("TestFrameworkCapabilitiesFactory", Members)?.GetValue(manager) is not Func<IServiceProvider, ITestFrameworkCapabilities> capabilities)
        {
            problem = $"{managerType.FullName} holds no framework factory";
            return false;
        }

        Func<ITestFrameworkCapabilities, IServiceProvider, ITestFramework> wrapped = (caps, services) => wrap(factory(caps, services), services);
        var replacement = Activator.CreateInstance(managerType, Members, binder: null, [wrapped, capabilities], culture: null);
        frameworkProperty.SetValue(hostBuilder, replacement);
        problem = string.Empty;
        return true;
    }
}
