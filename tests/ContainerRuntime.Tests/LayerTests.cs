namespace ContainerTest.ContainerRuntime.Tests;

using System.Formats.Tar;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.ContainerRuntime.Tests.Fixtures;

[TestClass]
public sealed class LayerTests
{
    private static readonly UserIdentity NonRoot = new(1000, 1000);

    [TestMethod]
    public async Task A_copy_on_write_directory_is_writable_and_private_to_each_job()
    {
        using var host = new TemporaryDirectory();
        await File.WriteAllTextAsync(Path.Combine(host.Path, "original.txt"), "from the host\n");
        Directory.CreateDirectory(Path.Combine(host.Path, "sub"));
        await File.WriteAllTextAsync(Path.Combine(host.Path, "sub", "nested.txt"), "nested\n");
        var layer = new HostDirectoryLayer(host.Path, "/app/out", LayerAccess.CopyOnWrite);
        var script = "cat /app/out/original.txt /app/out/sub/nested.txt; " +
                     "if [ -e /app/out/written.txt ]; then echo saw-other-jobs-file; fi; " +
                     "echo mine > /app/out/written.txt && echo changed > /app/out/original.txt && echo wrote";

        var first = await (Toolbox.Shell(script) with { Layers = [layer], User = NonRoot }).RunAsync();
        var second = await (Toolbox.Shell(script) with { Layers = [layer], User = NonRoot }).RunAsync();

        Assert.AreEqual("from the host\nnested\nwrote\n", first.Stdout.Text, first.Stderr.Text);
        Assert.AreEqual("from the host\nnested\nwrote\n", second.Stdout.Text, "the second job saw the first job's changes");
        Assert.AreEqual("from the host\n", await File.ReadAllTextAsync(Path.Combine(host.Path, "original.txt")), "the host's file changed");
        Assert.IsFalse(File.Exists(Path.Combine(host.Path, "written.txt")), "the job's file leaked to the host");
    }

    [TestMethod]
    public async Task A_copy_on_write_directory_sits_on_top_of_a_tmpfs_and_of_a_read_only_tree_above_it()
    {
        using var host = new TemporaryDirectory();
        var output = Directory.CreateDirectory(Path.Combine(host.Path, "bin", "out")).FullName;
        await File.WriteAllTextAsync(Path.Combine(host.Path, "spec.txt"), "spec\n");
        await File.WriteAllTextAsync(Path.Combine(output, "app.txt"), "app\n");
        var spec = Toolbox.Shell("cat /tmp/work/spec.txt /tmp/work/bin/out/app.txt && echo new > /tmp/work/bin/out/new.txt && cat /tmp/work/bin/out/new.txt") with
        {
            User = NonRoot,
            Mounts = [new TmpfsMount("/tmp", 1024 * 1024)],
            Layers = [new HostDirectoryLayer(host.Path, "/tmp/work"), new HostDirectoryLayer(output, "/tmp/work/bin/out", LayerAccess.CopyOnWrite)],
        };

        var result = await spec.RunAsync();

        Assert.AreEqual("spec\napp\nnew\n", result.Stdout.Text, result.Stderr.Text);
        Assert.IsFalse(File.Exists(Path.Combine(output, "new.txt")));
    }

    [TestMethod]
    public async Task A_copy_on_write_directory_is_prepared_once_as_an_image_and_replaced_when_it_changes()
    {
        using var host = new TemporaryDirectory();
        await File.WriteAllTextAsync(Path.Combine(host.Path, "v.txt"), "one\n");
        var layer = new HostDirectoryLayer(host.Path, "/app/prepared", LayerAccess.CopyOnWrite);
        var spec = Toolbox.Shell("cat /app/prepared/v.txt; echo x > /app/prepared/v.txt") with { Layers = [layer], User = NonRoot };

        var first = await spec.RunAsync();
        var second = await spec.RunAsync();
        var before = await PreparedImagesOfAsync(host.Path);
        await File.WriteAllTextAsync(Path.Combine(host.Path, "v.txt"), "two\n");
        var third = await spec.RunAsync();
        var after = await PreparedImagesOfAsync(host.Path);

        Assert.AreEqual("one\n", first.Stdout.Text, first.Stderr.Text);
        Assert.AreEqual("one\n", second.Stdout.Text, "the second job saw the first one's write");
        Assert.AreEqual("two\n", third.Stdout.Text, "a changed directory must not run from the old image");
        Assert.AreEqual(1, before.Count, "one image for the unchanged directory, however many jobs");
        Assert.AreEqual(1, after.Count, "the image of the old content is removed");
        Assert.AreNotEqual(before[0], after[0]);
    }

    [TestMethod]
    public async Task The_image_of_a_directory_that_is_gone_is_removed_when_the_next_one_is_prepared()
    {
        var gone = new TemporaryDirectory();
        await File.WriteAllTextAsync(Path.Combine(gone.Path, "v.txt"), "gone\n");
        var first = await (Toolbox.Shell("cat /app/prepared/v.txt") with { Layers = [new HostDirectoryLayer(gone.Path, "/app/prepared", LayerAccess.CopyOnWrite)], User = NonRoot }).RunAsync();
        Assert.AreEqual("gone\n", first.Stdout.Text, first.Stderr.Text);
        var goneImages = await PreparedImagesOfAsync(gone.Path);
        Assert.AreEqual(1, goneImages.Count, "control: the directory has its image");
        gone.Dispose();

        // The engine refuses to delete an image a container still uses (the sweep then leaves it for
        // later): the first job's container may still be on its way out on a loaded machine.
        for (var waited = 0; waited < 300 && (await ContainersOfImageAsync(goneImages[0])) > 0; waited++)
        {
            await Task.Delay(100);
        }

        using var next = new TemporaryDirectory();
        await File.WriteAllTextAsync(Path.Combine(next.Path, "v.txt"), "next\n");
        var second = await (Toolbox.Shell("cat /app/prepared/v.txt") with { Layers = [new HostDirectoryLayer(next.Path, "/app/prepared", LayerAccess.CopyOnWrite)], User = NonRoot }).RunAsync();

        Assert.AreEqual("next\n", second.Stdout.Text, second.Stderr.Text);
        Assert.AreEqual(0, (await PreparedImagesOfAsync(gone.Path)).Count, "the image of the deleted directory is removed");
        Assert.AreEqual(1, (await PreparedImagesOfAsync(next.Path)).Count);
    }

    private static async Task<int> ContainersOfImageAsync(string imageId) =>
        (await TestEngine.Inspector.Containers.ListContainersAsync(new global::Docker.DotNet.Models.ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["ancestor"] = new Dictionary<string, bool> { [imageId] = true } },
        })).Count;

    private static async Task<List<string>> PreparedImagesOfAsync(string hostPath)
    {
        var images = await TestEngine.Inspector.Images.ListImagesAsync(new global::Docker.DotNet.Models.ImagesListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["io.containertest.cow-source=" + hostPath] = true } },
        });
        return images.Select(i => i.ID).ToList();
    }

    [TestMethod]
    public async Task A_read_only_directory_shows_the_hosts_files_and_refuses_writes()
    {
        using var host = new TemporaryDirectory();
        await File.WriteAllTextAsync(Path.Combine(host.Path, "spec.txt"), "spec\n");
        var spec = Toolbox.Shell("cat /src/spec.txt; if echo x > /src/new.txt 2>/dev/null; then echo writable; else echo read-only; fi") with
        {
            Layers = [new HostDirectoryLayer(host.Path, "/src")],
        };

        var result = await spec.RunAsync();

        Assert.AreEqual("spec\nread-only\n", result.Stdout.Text);
        Assert.IsFalse(File.Exists(Path.Combine(host.Path, "new.txt")));
    }

    [TestMethod]
    public async Task Inline_files_symlinks_and_tar_archives_appear_where_asked_and_later_layers_win()
    {
        using var host = new TemporaryDirectory();
        var archive = Path.Combine(host.Path, "layer.tar");
        await using (var stream = File.Create(archive))
        await using (var writer = new TarWriter(stream, TarEntryFormat.Pax))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "from-tar.txt") { DataStream = new MemoryStream("in the tar\n"u8.ToArray()) });
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "overridden.txt") { DataStream = new MemoryStream("old\n"u8.ToArray()) });
        }

        var spec = Toolbox.Shell("cat /opt/data/from-tar.txt /opt/data/overridden.txt /etc/stub.conf; ./run.sh; readlink /usr/local/bin/tool") with
        {
            WorkingDirectory = "/opt/data",
            Layers =
            [
                new TarArchiveLayer(archive, "/opt/data"),
                FileLayer.FromText("/opt/data/overridden.txt", "new\n"),
                FileLayer.FromText("/etc/stub.conf", "stub=1\n"),
                FileLayer.FromText("/opt/data/run.sh", "#!/bin/sh\necho script ran\n", FileLayer.ExecutableMode),
                new SymlinkLayer("/usr/local/bin/tool", "/opt/data/run.sh"),
            ],
        };

        var result = await spec.RunAsync();

        Assert.AreEqual("in the tar\nnew\nstub=1\nscript ran\n/opt/data/run.sh\n", result.Stdout.Text, result.Stderr.Text);
    }
}
