namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

/// <summary>
/// The initramfs every VM boots from: our init as <c>/init</c>, the kernel modules it loads at
/// boot (<c>/lib/modules/boot</c> lists them in order), those for a network device
/// (<c>/lib/modules/net/</c>), and <c>/dev/console</c>. Made once per init and kernel, in the
/// runtime cache; a few MB, uncompressed (the kernel would spend longer decompressing it than
/// reading it).
/// </summary>
[SupportedOSPlatform("linux")]
internal static class VmInitramfs
{
    /// <summary>Where the network modules are inside the VM, before it switches to its root file system.</summary>
    public const string NetworkModules = "/lib/modules/net";

    /// <summary>The archive's path (made when missing).</summary>
    public static string Ensure(VmAssets assets, GuestKernel kernel, KernelModules modules)
    {
        var key = new StringBuilder("containertest-initramfs 1\n");
        foreach (var file in modules.Boot.Concat(modules.NetworkFiles).Append(assets.Init))
        {
            var info = new FileInfo(file);
            key.Append(CultureInfo.InvariantCulture, $"{file}\0{info.Length}\0{info.LastWriteTimeUtc.Ticks}\n");
        }

        key.Append(kernel.Version);
        var name = "initramfs-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())))[..16].ToLowerInvariant() + ".cpio";
        var path = Path.Combine(RuntimeCache.Root, "qemu", name);
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + "." + Guid.NewGuid().ToString("N")[..8];
        using (var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write))
        {
            var cpio = new CpioArchive(stream);
            foreach (var directory in new[] { "dev", "proc", "sys", "lib", "lib/modules", "lib/modules/net" })
            {
                cpio.Directory(directory);
            }

            cpio.CharacterDevice("dev/console", 5, 1);
            cpio.File("init", File.ReadAllBytes(assets.Init), 0x1ED);
            var list = new StringBuilder();
            foreach (var module in modules.Boot)
            {
                var fileName = Path.GetFileName(module);
                cpio.File("lib/modules/" + fileName, File.ReadAllBytes(module));
                list.Append(fileName).Append('\n');
            }

            cpio.File("lib/modules/boot", Encoding.UTF8.GetBytes(list.ToString()));
            foreach (var module in modules.NetworkFiles)
            {
                cpio.File("lib/modules/net/" + Path.GetFileName(module), File.ReadAllBytes(module));
            }

            cpio.Finish();
        }

        File.Move(partial, path, overwrite: true);
        return path;
    }
}
