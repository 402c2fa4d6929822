namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using ContainerTest.ContainerRuntime.Backends.Docker;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;

/// <summary>
/// A real image registry for pull tests: Debian's docker-registry (the CNCF distribution
/// registry v2, package docker-registry, installed by build.sh) as a child process on
/// 127.0.0.1 at a free port, storing into a temporary directory. The Docker Engine trusts
/// plain-HTTP registries on 127.0.0.0/8, so it pushes and pulls here without TLS.
/// Safe to use from parallel tests; disposing kills the registry and deletes its directory.
/// </summary>
internal sealed class LocalRegistry : IAsyncDisposable
{
    /// <summary>Where Debian's docker-registry package puts the registry.</summary>
    public const string BinaryPath = "/usr/bin/docker-registry";

    private const int PortAttempts = 3;
    private const int LogTailLines = 30;
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(15);

    private static readonly string[] ManifestMediaTypes =
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    ];

    private readonly IDockerClient docker;
    private readonly string directory;
    private readonly string logPath;
    private readonly StreamWriter log;
    private readonly Lock logLock = new();
    private readonly HttpClient http;
    private readonly (string UserName, string Password)? login;
    private Process? process;
    private bool logClosed;
    private int disposed;

    private LocalRegistry(IDockerClient docker, int port, (string UserName, string Password)? login)
    {
        this.docker = docker;
        this.login = login;
        Port = port;
        directory = Directory.CreateTempSubdirectory("containertest-registry-").FullName;
        logPath = Path.Combine(directory, "registry.log");
        log = new StreamWriter(logPath) { AutoFlush = true };
        http = new HttpClient { BaseAddress = new Uri($"http://{Host}/"), Timeout = TimeSpan.FromSeconds(10) };
        if (login is { } basic)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(basic.UserName + ":" + basic.Password)));
        }
    }

    /// <summary>The port the registry listens on (on 127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The registry as image references name it: <c>127.0.0.1:PORT</c>.</summary>
    public string Host => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Starts a registry and waits (at most 15 s) until it answers <c>GET /v2/</c>.</summary>
    /// <param name="docker">The engine that <see cref="PushAsync"/> pushes from.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public static Task<LocalRegistry> StartAsync(IDockerClient docker, CancellationToken cancellationToken) => StartAsync(docker, null, cancellationToken);

    /// <summary>Starts a registry that, given a <paramref name="login"/>, admits only that user (htpasswd Basic auth).</summary>
    /// <param name="docker">The engine that <see cref="PushAsync"/> pushes from (with the login).</param>
    /// <param name="login">The one user, or null for anonymous access.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public static async Task<LocalRegistry> StartAsync(IDockerClient docker, (string UserName, string Password)? login, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(docker);
        if (!File.Exists(BinaryPath))
        {
            throw new InvalidOperationException(
                $"{BinaryPath} is missing: the registry pull tests need Debian's docker-registry package (the CNCF distribution registry). `./build.sh test` installs it, or run `sudo apt-get install docker-registry`.");
        }

        for (var attempt = 1; ; attempt++)
        {
            var registry = new LocalRegistry(docker, FreeLoopbackPort(), login);
            try
            {
                if (await registry.TryStartAsync(cancellationToken).ConfigureAwait(false))
                {
                    return registry;
                }
            }
            catch
            {
                await registry.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            // Someone took the port between our probe and the registry's bind: try another one.
            var tail = registry.LogTail();
            await registry.DisposeAsync().ConfigureAwait(false);
            if (attempt == PortAttempts)
            {
                throw new InvalidOperationException($"docker-registry found its port taken {PortAttempts} times in a row. Its log ended with:\n{tail}");
            }
        }
    }

    /// <summary>A port on 127.0.0.1 that nothing listens on right now (the kernel picks it).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The reference of <paramref name="repository"/>:<paramref name="tag"/> in this registry.</summary>
    public string Reference(string repository, string tag) => $"{Host}/{repository}:{tag}";

    /// <summary>The reference of <paramref name="repository"/>@<paramref name="digest"/> in this registry.</summary>
    public string DigestReference(string repository, string digest) => $"{Host}/{repository}@{digest}";

    /// <summary>
    /// Pushes the local image <paramref name="localImage"/> to this registry as
    /// <paramref name="repository"/>:<paramref name="tag"/>, then removes the registry-qualified
    /// tag from the engine again so that a later pull really reaches the registry.
    /// </summary>
    /// <returns>The manifest digest the registry stores (<c>sha256:…</c>).</returns>
    public async Task<string> PushAsync(string localImage, string repository, string tag, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var name = $"{Host}/{repository}";
        await docker.Images.TagImageAsync(localImage, new ImageTagParameters { RepositoryName = name, Tag = tag }, cancellationToken).ConfigureAwait(false);
        try
        {
            // The engine answers a push with 200 and reports failures (registry down, blob
            // upload refused…) only inside the progress stream: Docker.DotNet does not throw.
            string? error = null;
            await docker.Images.PushImageAsync(
                name,
                new ImagePushParameters { Tag = tag },
                login is { } basic ? new AuthConfig { Username = basic.UserName, Password = basic.Password, ServerAddress = Host } : new AuthConfig(),
                new SynchronousProgress<JSONMessage>(message =>
                {
                    if (message.Error?.Message is { Length: > 0 } text)
                    {
                        error ??= text;
                    }
                }),
                cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                throw new InvalidOperationException($"Pushing {localImage} as {name}:{tag} failed: {error}\nRegistry log:\n{LogTail()}");
            }
        }
        finally
        {
            // Untagging the last tag of this repository also drops its digest references.
            await RemoveLocalReferenceAsync($"{name}:{tag}").ConfigureAwait(false);
        }

        return await ManifestDigestAsync(repository, tag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes <paramref name="reference"/> from the engine if it is there (an untag: the image stays while other references hold it).</summary>
    public async Task RemoveLocalReferenceAsync(string reference)
    {
        if (!reference.StartsWith(Host + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Only references into this registry ({Host}) are removed, not '{reference}'.", nameof(reference));
        }

        try
        {
            await docker.Images.DeleteImageAsync(reference, new ImageDeleteParameters { Force = false }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException)
        {
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>Kills the registry (and anything it started) and deletes its storage and log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await StopProcessAsync().ConfigureAwait(false);
        http.Dispose();
        lock (logLock)
        {
            logClosed = true;
            log.Dispose();
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A temp directory left behind is harmless; failing the test run over it is not.
        }
    }

    /// <summary>Starts the process and waits for it to answer; false when its port was taken meanwhile.</summary>
    private async Task<bool> TryStartAsync(CancellationToken cancellationToken)
    {
        var config = Path.Combine(directory, "config.yml");
        var yaml = ConfigYaml();
        if (login is { } basic)
        {
            var htpasswd = Path.Combine(directory, "htpasswd");
            await File.WriteAllTextAsync(htpasswd, Htpasswd.Line(basic.UserName, basic.Password) + "\n", cancellationToken).ConfigureAwait(false);
            yaml += $"\nauth:\n  htpasswd:\n    realm: containertest-tests\n    path: {htpasswd}\n";
        }

        await File.WriteAllTextAsync(config, yaml, cancellationToken).ConfigureAwait(false);

        var start = new ProcessStartInfo(BinaryPath)
        {
            ArgumentList = { "serve", config },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };

        // REGISTRY_* variables override the config file; none of the caller's may leak in.
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("REGISTRY_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(variable);
        }

        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => AppendLog(e.Data);
        process.ErrorDataReceived += (_, e) => AppendLog(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var waited = Stopwatch.StartNew();
        string? lastProblem = null;
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                var tail = LogTail();
                if (tail.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }

                throw new InvalidOperationException($"docker-registry exited with status {process.ExitCode} before answering on {Host}. Its log ended with:\n{tail}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("v2/", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }

                lastProblem = $"GET /v2/ answered {(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (HttpRequestException ex)
            {
                lastProblem = ex.Message;
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                lastProblem = ex.Message;
            }

            if (waited.Elapsed > StartupTimeout)
            {
                throw new InvalidOperationException(
                    $"docker-registry did not answer GET http://{Host}/v2/ within {StartupTimeout.TotalSeconds:0} s (last: {lastProblem}). Its log ended with:\n{LogTail()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    private string ConfigYaml() => $"""
        version: 0.1
        log:
          level: info
        storage:
          filesystem:
            rootdirectory: {Path.Combine(directory, "storage")}
          delete:
            enabled: true
          maintenance:
            uploadpurging:
              enabled: false
        http:
          addr: {Host}
          secret: {Guid.NewGuid():N}
        """;

    private async Task<string> ManifestDigestAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri($"v2/{repository}/manifests/{tag}", UriKind.Relative));
        foreach (var mediaType in ManifestMediaTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || !response.Headers.TryGetValues("Docker-Content-Digest", out var digests) || digests.FirstOrDefault() is not { Length: > 0 } digest)
        {
            throw new InvalidOperationException(
                $"The registry at {Host} does not give the digest of {repository}:{tag} (HEAD manifest answered {(int)response.StatusCode}). Registry log:\n{LogTail()}");
        }

        return digest;
    }

    private async Task StopProcessAsync()
    {
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or not yet reaped: nothing more a test fixture can do.
        }
        finally
        {
            process.Dispose();
        }
    }

    private void AppendLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (logLock)
        {
            if (!logClosed)
            {
                log.WriteLine(line);
            }
        }
    }

    private string LogTail()
    {
        lock (logLock)
        {
            try
            {
                using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
                return lines.Length == 0 ? "(empty)" : string.Join('\n', lines.TakeLast(LogTailLines));
            }
            catch (IOException ex)
            {
                return $"(could not read {logPath}: {ex.Message})";
            }
        }
    }
}
