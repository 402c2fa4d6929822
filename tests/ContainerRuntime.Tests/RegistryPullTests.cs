namespace ContainerTest.ContainerRuntime.Tests;

using System.Collections.Concurrent;
using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Errors;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Tests.Fixtures;
using global::Docker.DotNet;

/// <summary>
/// The backend pulls missing images from a real registry (Debian's docker-registry on
/// 127.0.0.1): by tag, by digest, once per process however many jobs ask, and it tells a
/// missing tag from a registry that does not answer.
/// </summary>
[TestClass]
public sealed class RegistryPullTests
{
    private static readonly ConcurrentDictionary<string, byte> LocalReferences = new(StringComparer.Ordinal);
    private static LocalRegistry? registry;

    private static LocalRegistry Registry => registry ?? throw new InvalidOperationException("The class fixture did not start the registry.");

    [ClassInitialize]
    public static async Task StartRegistryAsync(TestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        registry = await LocalRegistry.StartAsync(TestEngine.Inspector, context.CancellationToken);
    }

    [ClassCleanup]
    public static async Task StopRegistryAsync()
    {
        if (registry is null)
        {
            return;
        }

        // Whatever a test could not remove itself (only references into our own registry).
        foreach (var reference in LocalReferences.Keys)
        {
            await registry.RemoveLocalReferenceAsync(reference);
        }

        await registry.DisposeAsync();
        registry = null;
    }

    [TestMethod]
    public async Task Pulls_a_missing_image_by_tag_from_the_registry()
    {
        var repository = UniqueRepository();
        await Registry.PushAsync(TestEngine.ToolboxImage, repository, "v1");

        await AssertPulledOnceAsync(Registry.Reference(repository, "v1"), jobs: 1, async image =>
            Assert.IsTrue(await IsPresentAsync(image), $"{image} is not present after the job ran"));
    }

    [TestMethod]
    public async Task Pulls_a_missing_image_by_digest_from_the_registry()
    {
        var repository = UniqueRepository();
        var digest = await Registry.PushAsync(TestEngine.ToolboxImage, repository, "v1");
        StringAssert.StartsWith(digest, "sha256:");

        await AssertPulledOnceAsync(Registry.DigestReference(repository, digest), jobs: 1, async image =>
        {
            var inspected = await TestEngine.Inspector.Images.InspectImageAsync(image);
            CollectionAssert.Contains(inspected.RepoDigests.ToList(), image, "the engine does not know the image by the digest it was pulled by");
        });
    }

    [TestMethod]
    public async Task Concurrent_jobs_on_a_missing_image_share_one_pull()
    {
        var repository = UniqueRepository();
        await Registry.PushAsync(TestEngine.ToolboxImage, repository, "shared");

        await AssertPulledOnceAsync(Registry.Reference(repository, "shared"), jobs: 5);
    }

    [TestMethod]
    public async Task A_tag_the_registry_does_not_have_is_image_not_found()
    {
        var repository = UniqueRepository();
        await Registry.PushAsync(TestEngine.ToolboxImage, repository, "exists");
        var image = Track(Registry.Reference(repository, "missing"));
        try
        {
            var ex = await AssertPullFailsAsync<ImageNotFoundException>(image, RetryClass.NotRetryable, "not found");

            Assert.AreEqual(image, ex.Image);
        }
        finally
        {
            await RemoveAsync(image);
        }
    }

    [TestMethod]
    public async Task A_registry_that_does_not_listen_is_unreachable_and_retryable()
    {
        // A port the kernel just handed out and took back: nobody listens there.
        var image = $"127.0.0.1:{LocalRegistry.FreeLoopbackPort()}/x:1";

        var ex = await AssertPullFailsAsync<RegistryUnreachableException>(image, RetryClass.Retryable, "cannot be reached");

        Assert.AreEqual(image, ex.Image);
    }

    /// <summary>
    /// Runs <paramref name="jobs"/> jobs at once on <paramref name="reference"/> (in the registry, removed
    /// here first), asserts that each ran to its own output and that the backend pulled the image exactly
    /// once, then hands the image to <paramref name="afterAsync"/> for what else a test checks; the local image is removed at the end.
    /// </summary>
    private static async Task AssertPulledOnceAsync(string reference, int jobs, Func<string, Task>? afterAsync = null)
    {
        var image = Track(reference);
        var pulls = new PullCounter(image);
        try
        {
            await AssertAbsentAsync(image);

            var results = await Task.WhenAll(Enumerable.Range(0, jobs).Select(i =>
                (Toolbox.Shell($"echo pulled {i}") with { Image = image }).RunAsync()));

            for (var i = 0; i < results.Length; i++)
            {
                Assert.AreEqual(TerminationReason.Exited, results[i].Termination, results[i].FailureCause);
                Assert.AreEqual(0, results[i].ExitCode);
                Assert.AreEqual($"pulled {i}\n", results[i].Stdout.Text);
            }

            Assert.AreEqual(1, pulls.Count, $"{jobs} job(s) on {image} made {pulls.Count} pulls from the registry, not one");
            if (afterAsync is not null)
            {
                await afterAsync(image);
            }
        }
        finally
        {
            pulls.Dispose();
            await RemoveAsync(image);
        }
    }

    /// <summary>
    /// Runs a job on <paramref name="image"/>, which the backend cannot pull, and asserts that it fails
    /// with exactly <typeparamref name="TException"/>, retryable as <paramref name="retry"/>, with a message
    /// that names the image, <paramref name="says"/> and is not the engine's JSON error body.
    /// </summary>
    private static async Task<TException> AssertPullFailsAsync<TException>(string image, RetryClass retry, string says)
        where TException : ContainerRuntimeException
    {
        var ex = await Assert.ThrowsExactlyAsync<TException>(() => (Toolbox.Shell("true") with { Image = image }).RunAsync());

        Assert.AreEqual(retry, ex.Retry);
        Assert.Contains(image, ex.Message);
        Assert.Contains(says, ex.Message);
        Assert.DoesNotContain("{\"message\"", ex.Message, "the engine's JSON error body leaked into the message");
        return ex;
    }

    private static string UniqueRepository() => "containertest-test/pull-" + Guid.NewGuid().ToString("N")[..12];

    private static string Track(string reference)
    {
        LocalReferences.TryAdd(reference, 0);
        return reference;
    }

    private static async Task RemoveAsync(string reference)
    {
        await Registry.RemoveLocalReferenceAsync(reference);
        LocalReferences.TryRemove(reference, out _);
    }

    private static async Task AssertAbsentAsync(string image)
    {
        await Registry.RemoveLocalReferenceAsync(image);
        Assert.IsFalse(await IsPresentAsync(image), $"{image} is still present locally: the pull would not reach the registry");
    }

    private static async Task<bool> IsPresentAsync(string image)
    {
        try
        {
            await TestEngine.Inspector.Images.InspectImageAsync(image);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Counts the backend's pulls of one reference (other tests pull other references in parallel).</summary>
    private sealed class PullCounter : IDisposable
    {
        private readonly string image;
        private int count;

        public PullCounter(string image)
        {
            this.image = image;
            ImagePuller.Pulled += OnPulled;
        }

        public int Count => Volatile.Read(ref count);

        public void Dispose() => ImagePuller.Pulled -= OnPulled;

        private void OnPulled(string pulled)
        {
            if (string.Equals(pulled, image, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref count);
            }
        }
    }
}
