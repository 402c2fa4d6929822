namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Globalization;
using System.Text;

/// <summary>
/// Writes a cpio archive in the "new ASCII" (newc) format, the one the kernel unpacks as an
/// initramfs: directories, regular files and device nodes, all owned by root. Device nodes need
/// no privilege here: they are only records in the archive.
/// </summary>
internal sealed class CpioArchive(Stream destination)
{
    private int inode = 1;

    /// <summary>A directory.</summary>
    public void Directory(string path, int mode = 0x1ED /* 0755 */) => Entry(path, 0x4000 | mode, ReadOnlySpan<byte>.Empty);

    /// <summary>A regular file.</summary>
    public void File(string path, ReadOnlySpan<byte> content, int mode = 0x1A4 /* 0644 */) => Entry(path, 0x8000 | mode, content);

    /// <summary>A character device node.</summary>
    public void CharacterDevice(string path, int major, int minor, int mode = 0x180 /* 0600 */) => Entry(path, 0x2000 | mode, ReadOnlySpan<byte>.Empty, major, minor);

    /// <summary>Ends the archive.</summary>
    public void Finish() => Entry("TRAILER!!!", 0, ReadOnlySpan<byte>.Empty, inodeNumber: 0);

    private void Entry(string path, int mode, ReadOnlySpan<byte> content, int major = 0, int minor = 0, int? inodeNumber = null)
    {
        var name = Encoding.UTF8.GetBytes(path + "\0");
        var header = new StringBuilder("070701");
        foreach (var field in new long[] { inodeNumber ?? ++inode, mode, 0, 0, (mode & 0x4000) != 0 ? 2 : 1, 0, content.Length, 0, 0, major, minor, name.Length, 0 })
        {
            header.Append(field.ToString("X8", CultureInfo.InvariantCulture));
        }

        var headerBytes = Encoding.ASCII.GetBytes(header.ToString());
        destination.Write(headerBytes);
        destination.Write(name);
        Pad(headerBytes.Length + name.Length);
        destination.Write(content);
        Pad(content.Length);
    }

    private void Pad(int length)
    {
        Span<byte> zeros = stackalloc byte[3];
        zeros.Clear();
        destination.Write(zeros[..((4 - (length % 4)) % 4)]);
    }
}
