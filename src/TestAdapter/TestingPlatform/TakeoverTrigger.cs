namespace ContainerTest.TestingPlatform;

using Microsoft.Testing.Platform.CommandLine;
using Microsoft.Testing.Platform.Extensions;
using Microsoft.Testing.Platform.Extensions.CommandLine;

/// <summary>
/// A command line provider with no options of its own: the platform makes it while it builds the
/// application (after the test framework is registered, before the framework is made), which is
/// the moment <see cref="FrameworkTakeover"/> needs.
/// </summary>
internal sealed class TakeoverTrigger : ICommandLineOptionsProvider
{
    /// <summary>Runs <paramref name="takeOver"/> once, now.</summary>
    public TakeoverTrigger(Action takeOver)
    {
        ArgumentNullException.ThrowIfNull(takeOver);
        takeOver();
    }

    /// <inheritdoc />
    public string Uid => "ContainerTest.TakeoverTrigger";

    /// <inheritdoc />
    public string Version => typeof(TakeoverTrigger).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <inheritdoc />
    public string DisplayName => "ContainerTest";

    /// <inheritdoc />
    public string Description => "Runs each test in a sandbox or container of its own.";

    /// <inheritdoc />
    public Task<bool> IsEnabledAsync() => Task.FromResult(true);

    /// <inheritdoc />
    public IReadOnlyCollection<CommandLineOption> GetCommandLineOptions() => [];

    /// <inheritdoc />
    public Task<ValidationResult> ValidateOptionArgumentsAsync(CommandLineOption commandOption, string[] arguments) => ValidationResult.ValidTask;

    /// <inheritdoc />
    public Task<ValidationResult> ValidateCommandLineOptionsAsync(ICommandLineOptions commandLineOptions) => ValidationResult.ValidTask;
}
