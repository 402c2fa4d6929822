namespace ContainerTest.MsBuildTasks;

using ContainerTest.MsBuildTasks.Pinning;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Resolves <c>ContainerTestImage</c> to its manifest digest through <c>containertest.lock.json</c>
/// (see <see cref="ImagePinner"/>) and hands the build the reference to run: <c>repo@sha256:…</c>.
/// </summary>
public sealed class PinContainerImage : Microsoft.Build.Utilities.Task, ICancelableTask
{
    private volatile CancellationTokenSource? running;

    /// <summary>The configured image (<c>ContainerTestImage</c>); empty means the host image, which is never pinned.</summary>
    public string? Image { get; set; }

    /// <summary>The lock file's path (beside the project).</summary>
    [Required]
    public string LockFile { get; set; } = string.Empty;

    /// <summary>Fail unless the lock matches (<c>ContainerTestLocked</c>).</summary>
    public bool Locked { get; set; }

    /// <summary>Resolve the tag again and rewrite the lock (<c>ContainerTestUpdateLock</c>).</summary>
    public bool UpdateLock { get; set; }

    /// <summary>The image the tests run in: pinned by digest when possible, else <see cref="Image"/>.</summary>
    [Output]
    public string PinnedImage { get; private set; } = string.Empty;

    /// <inheritdoc/>
    public void Cancel() => running?.Cancel();

    /// <inheritdoc/>
    public override bool Execute()
    {
        var mode = UpdateLock ? PinMode.Update : Locked ? PinMode.Locked : PinMode.Default;
        using var http = RegistryClient.CreateHttpClient();
        using var cancellation = new CancellationTokenSource();
        running = cancellation;
        try
        {
            // MSBuild tasks are synchronous: block once, here, on the asynchronous core.
            var outcome = ImagePinner.ForRegistries(http).PinAsync(Image, LockFile, mode, cancellation.Token).GetAwaiter().GetResult();
            PinnedImage = outcome.ImageToRun;
            if (outcome.Warning is not null)
            {
                Log.LogWarning(null, "CTPIN01", null, LockFile, 0, 0, 0, 0, "ContainerTest: " + outcome.Warning);
            }

            if (outcome.Message is not null)
            {
                Log.LogMessage(outcome.LockWritten ? MessageImportance.High : MessageImportance.Low, "ContainerTest: " + outcome.Message);
            }

            return true;
        }
        catch (PinningException ex)
        {
            Log.LogError(null, "CTPIN02", null, LockFile, 0, 0, 0, 0, "ContainerTest: " + ex.Message);
            return false;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            running = null;
        }
    }
}
