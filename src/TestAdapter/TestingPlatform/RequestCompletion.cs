namespace ContainerTest.TestingPlatform;

using Microsoft.Testing.Platform.Requests;

/// <summary>What a framework calls when it has finished a request ContainerTest handed it; awaitable.</summary>
internal sealed class RequestCompletion : IExecuteRequestCompletionNotifier
{
    private readonly TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the framework called <see cref="Complete"/>.</summary>
    public Task Completed => completed.Task;

    /// <inheritdoc />
    public void Complete() => completed.TrySetResult();
}
