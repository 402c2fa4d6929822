namespace ContainerTest.MsBuildTasks;

using System.Reflection.PortableExecutable;

/// <summary>
/// The debug entry of a PE image's data directories (PE/COFF specification, "Optional Header Data
/// Directories": the 7th entry, an RVA and a size of 4 bytes each), which points at the debug
/// directory: CodeView (the PDB's path and id), embedded portable PDB, PDB checksum, reproducible.
/// </summary>
internal static class DebugDataDirectory
{
    /// <summary>
    /// Zeroes the debug data directory entry of a PE image in place; an image without one is left
    /// as it is. <see cref="BadImageFormatException"/> if the bytes are not a PE image.
    /// </summary>
    public static void Clear(byte[] image)
    {
        PEHeaders headers;
        using (var stream = new MemoryStream(image, writable: false))
        {
            headers = new PEHeaders(stream);
        }

        var optional = headers.PEHeader ?? throw new BadImageFormatException("not a PE image with an optional header");

        // The data directories follow the optional header's fixed fields: 96 bytes for PE32, 112 for
        // PE32+; each is an RVA and a size (4 bytes each), the debug directory the 7th (index 6).
        var directories = headers.PEHeaderStartOffset + (optional.Magic == PEMagic.PE32Plus ? 112 : 96);
        const int DebugIndex = 6;
        if (optional.NumberOfRvaAndSizes <= DebugIndex)
        {
            return;
        }

        Array.Clear(image, directories + (DebugIndex * 8), 8);
    }
}
