namespace ContainerTest.ContainerRuntime.Backends.Docker;

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (System.Progress posts to the thread pool, too late to read after the call).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
