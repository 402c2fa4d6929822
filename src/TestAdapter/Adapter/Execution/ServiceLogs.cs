namespace ContainerTest.TestAdapter.Execution;

using ContainerTest.ContainerRuntime.Services;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

/// <summary>
/// When tests failed, what the run's shared services wrote: kept in a file per service beside the
/// run's other files (the test results folder), and named in one message, before the services go.
/// </summary>
internal static class ServiceLogs
{
    /// <summary>Writes each service's output to <paramref name="folder"/>/NAME.log and tells the user where.</summary>
    public static async Task KeepAsync(IRunServices services, string folder, SynchronizedFrameworkHandle handle)
    {
        var written = new List<string>();
        try
        {
            Directory.CreateDirectory(folder);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            foreach (var name in services.Names)
            {
                var path = Path.Combine(folder, name + ".log");
                await File.WriteAllTextAsync(path, await services.LogsAsync(name, timeout.Token).ConfigureAwait(false), timeout.Token).ConfigureAwait(false);
                written.Add(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OperationCanceledException or HttpRequestException)
        {
            handle.SendMessage(TestMessageLevel.Warning, $"ContainerTest: tests failed, and the shared services' output could not be kept: {ex.Message}");
            return;
        }

        handle.SendMessage(TestMessageLevel.Warning, $"ContainerTest: tests failed; what the shared services wrote is in {string.Join(", ", written)}.");
    }
}
