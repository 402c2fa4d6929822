namespace ContainerTest.TestingPlatform;

using ContainerTest.Protocol;
using Microsoft.Testing.Platform.Builder;

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
        var inJob = Environment.GetEnvironmentVariable(TestingPlatformWire.JobVariable) == "1";

        // The framework is registered after the hooks by some entry points (xUnit v3's), so the
        // takeover waits until the platform builds its command line, which comes after that and
        // before the framework is made.
        builder.CommandLine.AddProvider(() => new TakeoverTrigger(() => FrameworkTakeover.Wrap(
            builder,
            (inner, services) => inJob ? new JobFramework(inner) : new ContainerizedFramework(inner, services, args))));
    }
}
