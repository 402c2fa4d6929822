namespace ContainerTest.ContainerRuntime.Tests;

using System.Collections.Concurrent;
using ContainerTest.ContainerRuntime.Docker;
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
        var image = Track(Registry.Reference(repository, "v1"));
        var pulls = new PullCounter(image);
        try
        {
            await AssertAbsentAsync(image);

            var result = await (Toolbox.Shell("echo pulled") with { Image = image }).RunAsync();

            Assert.AreEqual(TerminationReason.Exited, result.Termination, result.FailureCause);
            Assert.AreEqual(0, result.ExitCode);
            Assert.AreEqual("pulled\n", result.Stdout.Text);
            Assert.AreEqual(1, pulls.Count, "the image was not pulled from the registry");
            Assert.IsTrue(await IsPresentAsync(image), $"{image} is not present after the job ran");
        }
        finally
        {
            pulls.Dispose();
            await RemoveAsync(image);
        }
    }

    [TestMethod]
    public async Task Pulls_a_missing_image_by_digest_from_the_registry()
    {
        var repository = UniqueRepository();
        var digest = await Registry.PushAsync(TestEngine.ToolboxImage, repository, "v1");
        StringAssert.StartsWith(digest, "sha256:");
        var image = Track(Registry.DigestReference(repository, digest));
        var pulls = new PullCounter(image);
        try
        {
            await AssertAbsentAsync(image);

            var result = await (Toolbox.Shell("echo pulled") with { Image = image }).RunAsync();

            Assert.AreEqual(TerminationReason.Exited, result.Termination, result.FailureCause);
            Assert.AreEqual(0, result.ExitCode);
            Assert.AreEqual("pulled\n", result.Stdout.Text);
            Assert.AreEqual(1, pulls.Count, "the image was not pulled from the registry");
            var inspected = await TestEngine.Inspector.Images.InspectImageAsync(image);
            CollectionAssert.Contains(inspected.RepoDigests.ToList(), image, "the engine does not know the image by the digest it was pulled by");
        }
        finally
        {
            pulls.Dispose();
            await RemoveAsync(image);
        }
    }

    [TestMethod]
    public async Task Concurrent_jobs_on_a_missing_image_share_one_pull()
    {
        var repository = UniqueRepository();
        await Registry.PushAsync(TestEngine.ToolboxImage, repository, "shared");
        var image = Track(Registry.Reference(repository, "shared"));
        var pulls = new PullCounter(image);
        try
        {
            await AssertAbsentAsync(image);

            var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(i =>
                (Toolbox.Shell($"echo pulled {i}") with { Image = image }).RunAsync()));

            for (var i = 0; i < results.Length; i++)
            {
                Assert.AreEqual(TerminationReason.Exited, results[i].Termination, results[i].FailureCause);
                Assert.AreEqual($"pulled {i}\n", results[i].Stdout.Text);
            }

            Assert.AreEqual(1, pulls.Count, $"5 concurrent jobs on {image} made {pulls.Count} pulls");
        }
        finally
        {
            pulls.Dispose();
            await RemoveAsync(image);
        }
    }

    [TestMethod]
    public async Task A_tag_the_registry_does_not_have_is_image_not_found()
    {
        var repository = UniqueRepository();
        await Registry.PushAsync(TestEngine.ToolboxImage, repository, "exists");
        var image = Track(Registry.Reference(repository, "missing"));
        try
        {
            var ex = await Assert.ThrowsExactlyAsync<ImageNotFoundException>(() => (Toolbox.Shell("true") with { Image = image }).RunAsync());

            Assert.AreEqual(image, ex.Image);
            Assert.AreEqual(RetryClass.NotRetryable, ex.Retry);
            Assert.Contains(image, ex.Message);
            Assert.Contains("not found", ex.Message);
            Assert.DoesNotContain("{\"message\"", ex.Message, "the engine's JSON error body leaked into the message");
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

        var ex = await Assert.ThrowsExactlyAsync<RegistryUnreachableException>(() => (Toolbox.Shell("true") with { Image = image }).RunAsync());

        Assert.AreEqual(image, ex.Image);
        Assert.AreEqual(RetryClass.Retryable, ex.Retry);
        Assert.Contains(image, ex.Message);
        Assert.Contains("cannot be reached", ex.Message);
        Assert.DoesNotContain("{\"message\"", ex.Message, "the engine's JSON error body leaked into the message");
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
