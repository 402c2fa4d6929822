namespace ContainerTest.TestingPlatform;

using Microsoft.Testing.Platform.Extensions;
using Microsoft.Testing.Platform.Extensions.Messages;
using Microsoft.Testing.Platform.Extensions.OutputDevice;
using Microsoft.Testing.Platform.Extensions.TestFramework;

/// <summary>
/// A test framework that stands in for the registered one: its identity (uid, name, version —
/// what reports such as TRX name the adapter by), its sessions, initialization and cleanup are the
/// real framework's; subclasses decide what a request does.
/// </summary>
internal abstract class WrappedFramework(ITestFramework inner) : ITestFramework, IDataProducer, IOutputDeviceDataProducer, IAsyncInitializableExtension, IAsyncCleanableExtension, IDisposable, IAsyncDisposable
{
    /// <summary>The registered framework.</summary>
    protected ITestFramework Inner { get; } = inner;

    /// <inheritdoc />
    public string Uid => Inner.Uid;

    /// <inheritdoc />
    public string Version => Inner.Version;

    /// <inheritdoc />
    public string DisplayName => Inner.DisplayName;

    /// <inheritdoc />
    public string Description => Inner.Description;

    /// <inheritdoc />
    public Type[] DataTypesProduced => [.. ((Inner as IDataProducer)?.DataTypesProduced ?? []).Union([typeof(TestNodeUpdateMessage)])];

    /// <inheritdoc />
    public Task<bool> IsEnabledAsync() => Inner.IsEnabledAsync();

    /// <inheritdoc />
    public Task InitializeAsync() => (Inner as IAsyncInitializableExtension)?.InitializeAsync() ?? Task.CompletedTask;

    /// <inheritdoc />
    public Task CleanupAsync() => (Inner as IAsyncCleanableExtension)?.CleanupAsync() ?? Task.CompletedTask;

    /// <inheritdoc />
    public Task<CreateTestSessionResult> CreateTestSessionAsync(CreateTestSessionContext context) => Inner.CreateTestSessionAsync(context);

    /// <inheritdoc />
    public Task<CloseTestSessionResult> CloseTestSessionAsync(CloseTestSessionContext context) => Inner.CloseTestSessionAsync(context);

    /// <inheritdoc />
    public abstract Task ExecuteRequestAsync(ExecuteRequestContext context);

    /// <inheritdoc />
    public void Dispose()
    {
        (Inner as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Inner is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            (Inner as IDisposable)?.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}
