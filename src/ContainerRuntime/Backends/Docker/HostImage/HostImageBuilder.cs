namespace ContainerTest.ContainerRuntime.Backends.Docker.HostImage;

using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.InteropServices;
using ContainerTest.ContainerRuntime.Errors;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// Makes sure the Docker Engine has the <em>host image</em>: a root filesystem made from this
/// Linux machine's own .NET runtime and the shared libraries it needs, so that .NET apps run in
/// containers without any registry. The image is built once per content (its tag is a hash of
/// what goes in) and reused afterwards, by this process and by later ones.
/// </summary>
/// <remarks>
/// The tar is streamed straight into the engine's import API through a pipe: no temporary file.
/// Concurrent callers in one process share one build per engine; two processes that race both
/// import, and the second merely moves the tag to an equal image. The archive is byte-for-byte
/// reproducible, so the engine stores the layer once; the loser is left as an untagged image
/// (a few KB of config, labelled <c>io.containertest.managed</c> for reaping).
/// </remarks>
public sealed class HostImageBuilder
{
    /// <summary>The repository part of the tag: <c>containertest/host-runtime:&lt;16 hex digits&gt;</c>.</summary>
    public const string Repository = "containertest/host-runtime";

    private const int TagLength = 16;

    private static readonly ConcurrentDictionary<string, Lazy<Task>> Builds = new(StringComparer.Ordinal);

    // What goes into the image depends on the host only, not on the engine: found once per process.
    private static readonly Lazy<Task<HostImageFileSet>> HostFileSet =
        new(() => Task.Run(() => HostImageComposer.ComposeAsync(CancellationToken.None)));

    private readonly IDockerClient client;
    private readonly Func<CancellationToken, Task<HostImageFileSet>> compose;

    /// <summary>Creates a builder that uses <paramref name="client"/> to reach the engine.</summary>
    /// <param name="client">The Docker Engine client; not disposed by the builder.</param>
    public HostImageBuilder(IDockerClient client)
        : this(client, cancellationToken => HostFileSet.Value.WaitAsync(cancellationToken))
    {
    }

    /// <summary>Creates a builder with its own idea of what goes into the image (for tests).</summary>
    internal HostImageBuilder(IDockerClient client, Func<CancellationToken, Task<HostImageFileSet>> compose)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(compose);
        this.client = client;
        this.compose = compose;
    }

    /// <summary>Raised with the tag after each image this process actually imported (for diagnostics and tests).</summary>
    internal static event Action<string>? Built;

    /// <summary>
    /// Returns the tag of the host image (<c>containertest/host-runtime:&lt;hash&gt;</c>), building
    /// it first when the engine does not have it yet.
    /// </summary>
    /// <param name="cancellationToken">Stops this caller's wait. A build already under way goes on for the other callers that share it.</param>
    /// <returns>The image reference to run containers from.</returns>
    /// <exception cref="ContainerRuntimeException">
    /// Not a Linux host, no .NET runtime found (both <see cref="RetryClass.NotRetryable"/>), or the
    /// engine failed to import the image.
    /// </exception>
    public async Task<string> EnsureImageAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new ContainerRuntimeException(
                $"The host image is made from this machine's own Linux .NET runtime, and this machine runs {RuntimeInformation.OSDescription}. "
                + "Set ContainerTestImage to an image with .NET (for example mcr.microsoft.com/dotnet/runtime:8.0).",
                RetryClass.NotRetryable);
        }

        var set = await compose(cancellationToken).ConfigureAwait(false);
        var tag = Repository + ":" + set.ComputeHash()[..TagLength];
        if (await ExistsAsync(tag, cancellationToken).ConfigureAwait(false))
        {
            return tag;
        }

        var key = client.Options.Endpoint + "|" + tag;
        while (true)
        {
            var build = Builds.GetOrAdd(key, _ => new Lazy<Task>(() => BuildAsync(set, tag)));
            var task = build.Value;
            if (task.IsCompletedSuccessfully)
            {
                // Built earlier in this process, yet the engine no longer has it (an `image
                // prune`, a reset engine): forget that build and make a new one.
                Builds.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, build));
                continue;
            }

            try
            {
                await task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ContainerRuntimeException ex) when (ex.Retry == RetryClass.Retryable)
            {
                // Everyone waiting now gets this failure; the next caller tries afresh.
                Builds.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, build));
                throw;
            }

            // Any other failure is remembered: a hundred jobs must not each wait for the same one.
            return tag;
        }
    }

    private async Task<bool> ExistsAsync(string tag, CancellationToken cancellationToken)
    {
        try
        {
            await client.Images.InspectImageAsync(tag, cancellationToken).ConfigureAwait(false);
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
        catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw DockerEngineConnector.Explain(ex, client.Options.Endpoint);
        }
    }

    private async Task<bool> AnswersAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await client.System.PingAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or OperationCanceledException or TimeoutException)
        {
            return false;
        }
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    // Not cancellable on purpose: the build is shared by every caller waiting for it.
    private async Task BuildAsync(HostImageFileSet set, string tag)
    {
        if (await ExistsAsync(tag, CancellationToken.None).ConfigureAwait(false))
        {
            return; // Another process built it while we were looking.
        }

        var separator = tag.LastIndexOf(':');
        var parameters = new ImagesCreateParameters
        {
            FromSrc = "-",
            Repo = tag[..separator],
            Tag = tag[(separator + 1)..],
            Changes = Changes(set),
        };

        // The tar is written into one end of a pipe while the HTTP request reads the other: the
        // image is never held whole in memory or on disk. A small window keeps both sides busy.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, useSynchronizationContext: false));
        using var stopWriting = new CancellationTokenSource();
        var writing = Task.Run(() => WriteArchiveAsync(set, pipe.Writer, stopWriting.Token));

        string? engineError = null;
        Exception? importFailure = null;
        var body = pipe.Reader.AsStream();
        await using (body.ConfigureAwait(false))
        {
            try
            {
                await client.Images.CreateImageAsync(
                    parameters,
                    body,
                    new AuthConfig(),
                    new SynchronousProgress<JSONMessage>(message =>
                    {
                        if (message.Error?.Message is { Length: > 0 } text)
                        {
                            engineError ??= text;
                        }
                    }),
                    CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or OperationCanceledException or TimeoutException)
            {
                importFailure = ex;
            }
            finally
            {
                // Whatever the engine did, the writer must not wait for a reader that is gone.
                if (!writing.IsCompleted)
                {
                    await stopWriting.CancelAsync().ConfigureAwait(false);
                }
            }
        }

        try
        {
            await writing.ConfigureAwait(false);
        }
        catch (ContainerRuntimeException)
        {
            throw; // A host file changed meanwhile: that message says it all.
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ContainerRuntimeException(
                $"A file of the host's .NET runtime or its libraries disappeared while the host image {tag} was being built "
                + $"(was the runtime or a system library just updated?): {ex.Message.TrimEnd('.')}. Run again.",
                RetryClass.Retryable,
                ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ContainerRuntimeException(
                $"Could not read the host's .NET runtime or its libraries to build the host image {tag}: {ex.Message.TrimEnd('.')}. "
                + "Check that the files are readable by this user, or set ContainerTestImage to an image with .NET.",
                RetryClass.NotRetryable,
                ex);
        }
        catch (OperationCanceledException) when (stopWriting.IsCancellationRequested)
        {
            // Stopped because the import ended first; its failure is reported below.
        }

        if (importFailure is not null and not DockerApiException && engineError is null)
        {
            // The connection broke. Either the engine went away (say so the way the rest of the
            // backend does) or it refused the upload and hung up before we could read why.
            if (!await AnswersAsync().ConfigureAwait(false))
            {
                throw DockerEngineConnector.Explain(importFailure, client.Options.Endpoint);
            }

            throw new ContainerRuntimeException(
                $"The Docker Engine broke off the import of the host image {tag} ({Innermost(importFailure).Message.TrimEnd('.')}). "
                + "The engine's log says why (`journalctl -u docker`); check its free disk space (`docker system df`).",
                RetryClass.Unknown,
                importFailure);
        }

        if (importFailure is not null || engineError is not null)
        {
            var detail = (engineError
                ?? (importFailure is DockerApiException api && !string.IsNullOrWhiteSpace(api.ResponseBody) ? api.ResponseBody : importFailure!.Message)).Trim().TrimEnd('.');
            throw new ContainerRuntimeException(
                $"The Docker Engine could not import the host image {tag}: {detail}. Check that the engine is running and has free disk space (`docker info`, `docker system df`).",
                RetryClass.Unknown,
                importFailure);
        }

        if (!await ExistsAsync(tag, CancellationToken.None).ConfigureAwait(false))
        {
            throw new ContainerRuntimeException(
                $"The Docker Engine accepted the host image {tag} but does not list it afterwards (`docker images {Repository}`).",
                RetryClass.Unknown);
        }

        Built?.Invoke(tag);
    }

    private static async Task WriteArchiveAsync(HostImageFileSet set, PipeWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            var stream = writer.AsStream(leaveOpen: true);
            await using (stream.ConfigureAwait(false))
            {
                await HostImageArchive.WriteAsync(stream, set, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The reader (the HTTP request) sees the failure and aborts the upload: the engine
            // keeps no half image.
            await writer.CompleteAsync(ex).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The Dockerfile instructions the import applies: ENV and LABEL.</summary>
    private static List<string> Changes(HostImageFileSet set)
    {
        var changes = new List<string>();
        changes.AddRange(set.Environment.Select(pair => $"ENV {pair.Key}={Quote(pair.Value)}"));
        changes.AddRange(set.Labels.Select(pair => $"LABEL {pair.Key}={Quote(pair.Value)}"));
        return changes;
    }

    // Values are plain (paths, "1", "true"); quote anything else the Dockerfile way.
    private static string Quote(string value) =>
        value.Length > 0 && value.All(character => char.IsAsciiLetterOrDigit(character) || "/:._-=+,@".Contains(character, StringComparison.Ordinal))
            ? value
            : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
