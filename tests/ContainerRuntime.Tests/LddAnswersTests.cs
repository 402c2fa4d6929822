namespace ContainerTest.ContainerRuntime.Tests;

using ContainerTest.ContainerRuntime.Backends.Docker.HostImage;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

/// <summary>
/// The host image's shared-library closure asks the real <c>ldd</c> about a file once and keeps
/// the answer for later runs, until the file changes; a broken answers file costs nothing but a
/// new question.
/// </summary>
[TestClass]
public sealed class LddAnswersTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task An_answer_is_kept_for_later_runs_until_its_file_changes()
    {
        using var cache = new TemporaryDirectory();
        var library = CopyOfRuntimeLibrary(cache.Path);

        var first = LddAnswers.Load(cache.Path);
        var asked = await SharedLibraryClosure.ResolveAsync([library], first, TestContext.CancellationToken);
        Assert.AreEqual(1, first.Asked);
        Assert.IsTrue(asked.Libraries.Any(l => Path.GetFileName(l).StartsWith("libc.so", StringComparison.Ordinal)), "ldd named the C library: " + string.Join(", ", asked.Libraries));

        // A later run (a new process reads the file): the same closure, without ldd.
        var later = LddAnswers.Load(cache.Path);
        var kept = await SharedLibraryClosure.ResolveAsync([library], later, TestContext.CancellationToken);
        Assert.AreEqual(0, later.Asked, "the kept answer was not used");
        CollectionAssert.AreEqual(asked.Libraries.ToList(), kept.Libraries.ToList());
        CollectionAssert.AreEqual(asked.Interpreters.ToList(), kept.Interpreters.ToList());

        // The file changed (a runtime update in place): asked again.
        File.SetLastWriteTimeUtc(library, DateTime.UtcNow.AddMinutes(-5));
        var changed = LddAnswers.Load(cache.Path);
        await SharedLibraryClosure.ResolveAsync([library], changed, TestContext.CancellationToken);
        Assert.AreEqual(1, changed.Asked, "a changed file was not asked about again");
    }

    [TestMethod]
    public async Task A_broken_answers_file_means_asking_again_and_writing_it_anew()
    {
        using var cache = new TemporaryDirectory();
        var library = CopyOfRuntimeLibrary(cache.Path);
        var file = Path.Combine(cache.Path, "ldd-answers-v1.json");
        await File.WriteAllTextAsync(file, "{ not json", TestContext.CancellationToken);

        var answers = LddAnswers.Load(cache.Path);
        var closure = await SharedLibraryClosure.ResolveAsync([library], answers, TestContext.CancellationToken);
        Assert.AreEqual(1, answers.Asked);
        Assert.IsTrue(closure.Libraries.Count > 0);

        var later = LddAnswers.Load(cache.Path);
        await SharedLibraryClosure.ResolveAsync([library], later, TestContext.CancellationToken);
        Assert.AreEqual(0, later.Asked, "the file was not written anew: " + await File.ReadAllTextAsync(file, TestContext.CancellationToken));
    }

    /// <summary>A copy of one of the running .NET runtime's own native libraries, in <paramref name="folder"/>.</summary>
    private static string CopyOfRuntimeLibrary(string folder)
    {
        var source = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "libSystem.Native.so");
        var copy = Path.Combine(folder, "libSystem.Native.so");
        File.Copy(source, copy);
        return copy;
    }
}
