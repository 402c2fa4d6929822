namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Collections.Concurrent;
using System.Runtime.Versioning;
using System.Text.Json;
using ContainerTest.ContainerRuntime.Backends.Docker.HostImage;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// The root file systems VMs boot into, as read-only ext4 disk images in the runtime cache, with
/// the image's environment beside each. The host image is made here without any engine: the same
/// file set (<see cref="HostImageComposer"/>) the Docker backend imports, under the same tag
/// (<c>containertest/host-runtime:&lt;hash&gt;</c>), so a job names it the same way on either
/// backend. Other images are not known to this backend (it has no registry client or storage of
/// its own); naming one is refused with the reason.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class VmRootImages
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<VmRootImage>>> Builds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, VmRootImage> known = new(StringComparer.Ordinal);

    /// <summary>The folder of the images.</summary>
    public static string Folder => Path.Combine(RuntimeCache.Root, "qemu", "images");

    /// <summary>Makes the host image's disk when missing; returns its tag.</summary>
    public async Task<string> EnsureHostImageAsync(CancellationToken cancellationToken)
    {
        var set = await HostImageComposer.ComposeAsync(cancellationToken).ConfigureAwait(false);
        var hash = set.ComputeHash()[..16];
        var tag = HostImageBuilder.Repository + ":" + hash;
        var build = Builds.GetOrAdd(hash, _ => new Lazy<Task<VmRootImage>>(() => BuildAsync(set, hash)));
        try
        {
            known[tag] = await build.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Builds.TryRemove(new KeyValuePair<string, Lazy<Task<VmRootImage>>>(hash, build));
            throw;
        }

        return tag;
    }

    /// <summary>The disk of <paramref name="image"/>.</summary>
    /// <exception cref="ImageNotFoundException">The image is not one this backend has.</exception>
    public VmRootImage Resolve(string image)
    {
        if (known.TryGetValue(image, out var root))
        {
            return root;
        }

        if (image.StartsWith(HostImageBuilder.Repository + ":", StringComparison.Ordinal))
        {
            var hash = image[(HostImageBuilder.Repository.Length + 1)..];
            var disk = Path.Combine(Folder, hash + ".ext4");
            var environment = Path.Combine(Folder, hash + ".env.json");
            if (File.Exists(disk) && File.Exists(environment))
            {
                return known.GetOrAdd(image, _ => new VmRootImage(disk, JsonSerializer.Deserialize<List<string>>(File.ReadAllText(environment)) ?? []));
            }
        }

        throw new ImageNotFoundException(
            image,
            $"The qemu backend boots its VMs into the host image (a disk made from this machine's own .NET runtime), and '{image}' is not it: images from a registry or a Docker Engine are not supported by this backend yet. "
            + "Leave ContainerTestImage unset with ContainerTestBackend=qemu, or use ContainerTestBackend=docker for that image.");
    }

    private static async Task<VmRootImage> BuildAsync(HostImageFileSet set, string hash)
    {
        var disk = Path.Combine(Folder, hash + ".ext4");
        var environmentFile = Path.Combine(Folder, hash + ".env.json");
        var environment = set.Environment.Select(p => p.Key + "=" + p.Value).ToList();
        if (File.Exists(disk) && File.Exists(environmentFile))
        {
            return new VmRootImage(disk, environment);
        }

        Directory.CreateDirectory(Folder);
        var staging = Path.Combine(Folder, hash + ".staging-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var owners = Stage(set, staging);
            await Ext4Image.CreateAsync(staging, disk, owner: null, owners, CancellationToken.None).ConfigureAwait(false);
            await File.WriteAllTextAsync(environmentFile, JsonSerializer.Serialize(environment), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                MakeRemovable(staging);
                Directory.Delete(staging, recursive: true);
            }
        }

        return new VmRootImage(disk, environment);
    }

    /// <summary>Writes the file set's entries under <paramref name="staging"/>; returns every entry's owner.</summary>
    private static Dictionary<string, (int Uid, int Gid)> Stage(HostImageFileSet set, string staging)
    {
        Directory.CreateDirectory(staging);
        var owners = new Dictionary<string, (int, int)>(StringComparer.Ordinal) { [string.Empty] = (0, 0) };
        var directories = new List<(string Path, UnixFileMode Mode)>();
        foreach (var entry in set.Entries)
        {
            var path = Path.Combine(staging, entry.Path);
            owners[entry.Path] = (entry.Uid, entry.Gid);
            switch (entry.Kind)
            {
                case HostImageEntryKind.Directory:
                    Directory.CreateDirectory(path);
                    directories.Add((path, entry.Mode));
                    break;
                case HostImageEntryKind.Symlink:
                    File.CreateSymbolicLink(path, entry.LinkTarget!);
                    break;
                case HostImageEntryKind.GeneratedFile:
                    File.WriteAllBytes(path, entry.Content.ToArray());
                    File.SetUnixFileMode(path, entry.Mode);
                    break;
                case HostImageEntryKind.HostFile:
                    File.Copy(entry.HostPath!, path);
                    File.SetUnixFileMode(path, entry.Mode);
                    break;
            }
        }

        // Modes of directories last: a read-only one would refuse what goes into it.
        foreach (var (path, mode) in directories)
        {
            File.SetUnixFileMode(path, mode);
        }

        return owners;
    }

    private static void MakeRemovable(string directory)
    {
        foreach (var sub in Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories))
        {
            if (new FileInfo(sub).LinkTarget is null)
            {
                File.SetUnixFileMode(sub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }
}
