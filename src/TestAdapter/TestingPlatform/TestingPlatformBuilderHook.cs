namespace ContainerTest.TestingPlatform;

using ContainerTest.Protocol;
using Microsoft.Testing.Platform.Builder;
using Microsoft.Testing.Platform.Extensions.TestFramework;

/// <summary>
/// What the platform's build calls from the test application's entry point (the
/// <c>TestingPlatformBuilderHook</c> item ContainerTest's build adds): ContainerTest takes the
/// registered test framework over, so that the tests the framework discovers run each in a
/// sandbox or container of its own — or, inside one of those (<see cref="TestingPlatformWire.JobVariable"/>),
/// so that the application runs the one test it is handed and reports it home.
/// </summary>
public static class TestingPlatformBuilderHook
{
    /// <summary>Adds ContainerTest to <paramref name="builder"/>; <paramref name="args"/> are the application's command line.</summary>
    public static void AddExtensions(ITestApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(args);
        var mode = Environment.GetEnvironmentVariable(TestingPlatformWire.JobVariable);
        Func<ITestFramework, IServiceProvider, ITestFramework> wrap = (inner, services) => new ContainerizedFramework(inner, services, args);
        if (mode is "1" or TestingPlatformWire.DiscoveryValue)
        {
            var discovery = mode == TestingPlatformWire.DiscoveryValue;
            var report = new JobReport(discovery, JobArguments.HasFrameworkFilter(args));
            try
            {
                DataConsumerRegistration.Add(builder, JobReport.DataTypes, report.ConsumeAsync);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.Reflection.TargetInvocationException or ArgumentException)
            {
                Console.Error.WriteLine($"ContainerTest: cannot report this test's results home: {ex.Message}");
            }

            wrap = (inner, _) => new JobFramework(inner, report, discovery);
        }

        // The framework is registered after the hooks by some entry points (xUnit v3's), so the
        // takeover waits until the platform builds its command line, which comes after that and
        // before the framework is made.
        builder.CommandLine.AddProvider(() => new TakeoverTrigger(() => FrameworkTakeover.Wrap(builder, wrap)));
    }
}
