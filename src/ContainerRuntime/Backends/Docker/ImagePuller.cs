namespace ContainerTest.ContainerRuntime.Backends.Docker;

using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using ContainerTest.ContainerRuntime.Errors;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Makes sure an image is present: a local image is used as it is; a missing one is pulled at
/// most once per process and engine, however many jobs ask for it at the same time. A failed
/// pull is remembered too, so a hundred jobs do not wait a hundred times for a dead registry —
/// but a retryable failure (registry unreachable) only for <see cref="RetryableFailureMemory"/>,
/// so that "retryable" means something within a long-lived process.
/// </summary>
internal sealed class ImagePuller(IDockerClient client)
{
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Pulls = new(StringComparer.Ordinal);
    private static readonly TimeSpan RetryableFailureMemory = TimeSpan.FromSeconds(30);

    /// <summary>Raised after each pull the engine was actually asked to do (for diagnostics and tests).</summary>
    public static event Action<string>? Pulled;

    public async Task EnsurePresentAsync(string image, CancellationToken cancellationToken)
    {
        if (await IsPresentAsync(image, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var key = client.Options.Endpoint + "|" + image;
        var pull = Pulls.GetOrAdd(key, _ => new Lazy<Task>(() => PullAsync(image)));
        try
        {
            await pull.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ContainerRuntimeException ex) when (ex.Retry == RetryClass.Retryable)
        {
            _ = ForgetLaterAsync(key, pull);
            throw;
        }
    }

    private static async Task ForgetLaterAsync(string key, Lazy<Task> failed)
    {
        await Task.Delay(RetryableFailureMemory, CancellationToken.None).ConfigureAwait(false);
        Pulls.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, failed));
    }

    private async Task<bool> IsPresentAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await client.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    // Not cancellable on purpose: the pull is shared by every job that waits for it; one job's
    // cancellation must not fail the others. Each waiter stops waiting on its own token.
    private async Task PullAsync(string image)
    {
        var reference = ImageReference.Parse(image);
        var auth = await RegistryCredentials.FindAsync(reference.RegistryHost, CancellationToken.None).ConfigureAwait(false);
        string? error = null;

        try
        {
            await client.Images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = reference.Pullable },
                auth ?? new AuthConfig(),
                new SynchronousProgress<JSONMessage>(message =>
                {
                    if (message.Error?.Message is { Length: > 0 } text)
                    {
                        error ??= text;
                    }
                }),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            error = EngineMessage(ex);
            throw Classify(image, reference, error, ex);
        }

        if (error is not null)
        {
            throw Classify(image, reference, error, null);
        }

        Pulled?.Invoke(image);
        if (!await IsPresentAsync(image, CancellationToken.None).ConfigureAwait(false))
        {
            throw new ImageNotFoundException(image, $"The image '{image}' was pulled but the engine still does not have it. Check the reference (`docker pull {image}`).");
        }
    }

    // The engine answers a refused request with a JSON body, {"message":"…"}, which Docker.DotNet
    // hands over as it is; the user should read the message, not the JSON around it.
    private static string EngineMessage(DockerApiException ex)
    {
        if (string.IsNullOrWhiteSpace(ex.ResponseBody))
        {
            return ex.Message;
        }

        try
        {
            using var body = JsonDocument.Parse(ex.ResponseBody);
            if (body.RootElement.ValueKind == JsonValueKind.Object
                && body.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String
                && message.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (JsonException)
        {
            // Not JSON (an old engine, a proxy in between): the body itself is the best we have.
        }

        return ex.ResponseBody;
    }

    private static ContainerRuntimeException Classify(string image, ImageReference reference, string error, Exception? inner)
    {
        var registry = reference.RegistryHost ?? "Docker Hub";
        var lower = error.ToLowerInvariant();
        if (lower.Contains("connection refused", StringComparison.Ordinal)
            || lower.Contains("no such host", StringComparison.Ordinal)
            || lower.Contains("i/o timeout", StringComparison.Ordinal)
            || lower.Contains("timeout", StringComparison.Ordinal)
            || lower.Contains("network is unreachable", StringComparison.Ordinal)
            || lower.Contains("dial tcp", StringComparison.Ordinal)
            || lower.Contains("tls", StringComparison.Ordinal))
        {
            return new RegistryUnreachableException(
                image,
                $"The image '{image}' is not on this machine and its registry ({registry}) cannot be reached: {error.Trim()}. Connect to the registry, or build or load the image locally (`docker images` shows what is here).",
                inner);
        }

        if (lower.Contains("unauthorized", StringComparison.Ordinal) || lower.Contains("authentication required", StringComparison.Ordinal) || lower.Contains("denied", StringComparison.Ordinal))
        {
            return new ImageNotFoundException(
                image,
                $"The registry {registry} refused to give the image '{image}': {error.Trim()}. If the image exists and is private, log in first (`docker login {reference.RegistryHost}`).",
                inner);
        }

        return new ImageNotFoundException(
            image,
            $"The image '{image}' was not found locally or in {registry}: {error.Trim()}. Check the name and tag (`docker images`, `docker pull {image}`).",
            inner);
    }
}
