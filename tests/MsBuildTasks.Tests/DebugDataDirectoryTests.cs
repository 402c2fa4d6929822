namespace ContainerTest.MsBuildTasks.Tests;

using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.Loader;

/// <summary>
/// An assembly without its debug directory: no symbols to find, the same code and metadata, and
/// still loadable.
/// </summary>
[TestClass]
public sealed class DebugDataDirectoryTests
{
    [TestMethod]
    public void An_assembly_loses_its_debug_directory_and_keeps_its_code_and_metadata()
    {
        // This test assembly: built with a portable PDB, so its debug directory points at one.
        var original = File.ReadAllBytes(typeof(DebugDataDirectoryTests).Assembly.Location);
        using (var before = new PEReader(new MemoryStream(original)))
        {
            Assert.IsTrue(before.ReadDebugDirectory().Any(e => e.Type == DebugDirectoryEntryType.CodeView), "the build gave it a PDB pointer");
        }

        var stripped = (byte[])original.Clone();
        DebugDataDirectory.Clear(stripped);

        Assert.AreEqual(original.Length, stripped.Length);
        var entry = DebugDirectoryEntryOffset(original);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != stripped[i]).ToList();
        Assert.IsTrue(changed.Count > 0 && changed.All(i => i >= entry && i < entry + 8), "only the data directory's debug entry (RVA and size) changed: " + string.Join(", ", changed));
        Assert.IsTrue(stripped.AsSpan(entry, 8).IndexOfAnyExcept((byte)0) < 0, "and it is zero");
        using var after = new PEReader(new MemoryStream(stripped));
        Assert.AreEqual(0, after.ReadDebugDirectory().Length, "no CodeView, embedded PDB or checksum entry is left");
        var metadata = after.GetMetadataReader();
        Assert.AreEqual(typeof(DebugDataDirectoryTests).Assembly.GetName().Name, metadata.GetString(metadata.GetAssemblyDefinition().Name));

        var context = new AssemblyLoadContext("stripped", isCollectible: true);
        try
        {
            var loaded = context.LoadFromStream(new MemoryStream(stripped));
            Assert.IsNotNull(loaded.GetType(typeof(DebugDataDirectoryTests).FullName!), "the stripped copy loads and has its types");
        }
        finally
        {
            context.Unload();
        }
    }

    [TestMethod]
    public void Bytes_that_are_not_a_PE_image_are_refused()
    {
        Assert.ThrowsExactly<BadImageFormatException>(() => DebugDataDirectory.Clear("not an assembly, just text"u8.ToArray()));
    }

    /// <summary>Where the optional header's debug data directory entry starts (PE/COFF: 96 or 112 bytes in, the 7th of 8-byte entries).</summary>
    private static int DebugDirectoryEntryOffset(byte[] image)
    {
        var headers = new PEHeaders(new MemoryStream(image));
        return headers.PEHeaderStartOffset + (headers.PEHeader!.Magic == PEMagic.PE32Plus ? 112 : 96) + (6 * 8);
    }
}
