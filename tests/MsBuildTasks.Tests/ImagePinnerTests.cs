namespace ContainerTest.MsBuildTasks.Tests;

using ContainerTest.MsBuildTasks.Pinning;

/// <summary>The decisions between lock file and registry, with a resolver the test controls.</summary>
[TestClass]
public sealed class ImagePinnerTests
{
    private const string Image = "registry.example/team/tests:1";
    private const string DigestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string DigestB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private readonly List<string> directories = [];

    public TestContext TestContext { get; set; } = null!;

    [TestCleanup]
    public void DeleteDirectories()
    {
        foreach (var directory in directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public async Task A_matching_lock_is_used_without_asking_the_registry()
    {
        var lockPath = await LockWithAsync(Image, DigestA);
        var pinner = new ImagePinner((_, _) => throw new AssertFailedException("the registry was asked"), TimeProvider.System);

        var outcome = await pinner.PinAsync(Image, lockPath, PinMode.Locked, TestContext.CancellationToken);

        Assert.AreEqual("registry.example/team/tests@" + DigestA, outcome.ImageToRun);
        Assert.IsFalse(outcome.LockWritten);
    }

    [TestMethod]
    public async Task Locked_without_a_lock_fails_saying_how_to_fix_it()
    {
        var lockPath = Path.Combine(NewDirectory(), LockFile.FileName);
        var pinner = new ImagePinner((_, _) => throw new AssertFailedException("the registry was asked"), TimeProvider.System);

        var error = await Assert.ThrowsExactlyAsync<PinningException>(() => pinner.PinAsync(Image, lockPath, PinMode.Locked, TestContext.CancellationToken));

        StringAssert.Contains(error.Message, $"{lockPath} is missing");
        StringAssert.Contains(error.Message, "dotnet build -p:ContainerTestUpdateLock=true");
        StringAssert.Contains(error.Message, "dotnet containertest pin");
    }

    [TestMethod]
    public async Task An_unreachable_registry_warns_and_runs_the_tag_unpinned()
    {
        var lockPath = Path.Combine(NewDirectory(), LockFile.FileName);
        var pinner = new ImagePinner((_, _) => throw new PinningException("The registry is down."), TimeProvider.System);

        var outcome = await pinner.PinAsync(Image, lockPath, PinMode.Default, TestContext.CancellationToken);

        Assert.AreEqual(Image, outcome.ImageToRun);
        StringAssert.Contains(outcome.Warning, "The registry is down.");
        StringAssert.Contains(outcome.Warning, "ContainerTestPin=false");
        Assert.IsFalse(File.Exists(lockPath));
    }

    [TestMethod]
    public async Task An_update_to_the_same_digest_leaves_the_file_untouched_and_a_new_digest_rewrites_it()
    {
        var lockPath = await LockWithAsync(Image, DigestA);
        var before = await File.ReadAllTextAsync(lockPath, TestContext.CancellationToken);
        var digest = DigestA;
        var pinner = new ImagePinner((_, _) => Task.FromResult(digest), TimeProvider.System);

        var same = await pinner.PinAsync(Image, lockPath, PinMode.Update, TestContext.CancellationToken);
        Assert.IsFalse(same.LockWritten);
        Assert.AreEqual(before, await File.ReadAllTextAsync(lockPath, TestContext.CancellationToken));

        digest = DigestB;
        var moved = await pinner.PinAsync(Image, lockPath, PinMode.Update, TestContext.CancellationToken);
        Assert.IsTrue(moved.LockWritten);
        Assert.AreEqual(DigestB, (await LockFile.ReadAsync(lockPath, TestContext.CancellationToken))!.Digest);
    }

    [TestMethod]
    public async Task No_image_or_a_digest_reference_needs_no_lock()
    {
        var lockPath = Path.Combine(NewDirectory(), LockFile.FileName);
        var pinner = new ImagePinner((_, _) => throw new AssertFailedException("the registry was asked"), TimeProvider.System);

        Assert.AreEqual(string.Empty, (await pinner.PinAsync("  ", lockPath, PinMode.Locked, TestContext.CancellationToken)).ImageToRun);
        Assert.AreEqual("x@" + DigestA, (await pinner.PinAsync("x@" + DigestA, lockPath, PinMode.Locked, TestContext.CancellationToken)).ImageToRun);
    }

    [TestMethod]
    public async Task A_broken_lock_file_is_one_message()
    {
        var lockPath = Path.Combine(NewDirectory(), LockFile.FileName);
        await File.WriteAllTextAsync(lockPath, "{ \"version\": 1, ", TestContext.CancellationToken);
        var pinner = new ImagePinner((_, _) => Task.FromResult(DigestA), TimeProvider.System);

        var error = await Assert.ThrowsExactlyAsync<PinningException>(() => pinner.PinAsync(Image, lockPath, PinMode.Default, TestContext.CancellationToken));

        StringAssert.Contains(error.Message, $"The lock file {lockPath} cannot be read");
    }

    private string NewDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("containertest-pin-").FullName;
        directories.Add(directory);
        return directory;
    }

    private async Task<string> LockWithAsync(string image, string digest)
    {
        var lockPath = Path.Combine(NewDirectory(), LockFile.FileName);
        await new LockFile(image, digest, DateTimeOffset.UtcNow).WriteAsync(lockPath, TestContext.CancellationToken);
        return lockPath;
    }
}
