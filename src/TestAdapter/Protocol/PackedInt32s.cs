namespace ContainerTest.Protocol;

using System.Buffers.Binary;

/// <summary>How the protocol carries an array of 32-bit integers: little-endian, 4 bytes each, base64.</summary>
internal static class PackedInt32s
{
    /// <summary>The base64 text of <paramref name="values"/>.</summary>
    public static string ToBase64(int[] values)
    {
        var bytes = new byte[values.Length * sizeof(int)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * sizeof(int)), values[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    /// <summary>
    /// The integers of <paramref name="base64"/> (none for null). Throws <see cref="FormatException"/>
    /// for text that is not base64 and <see cref="InvalidDataException"/>, naming <paramref name="what"/>,
    /// for a length that is no whole number of integers.
    /// </summary>
    public static int[] FromBase64(string? base64, string what)
    {
        var bytes = Convert.FromBase64String(base64 ?? string.Empty);
        if (bytes.Length % sizeof(int) != 0)
        {
            throw new InvalidDataException($"{what} of a length that is no whole number of 32-bit integers");
        }

        var values = new int[bytes.Length / sizeof(int)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * sizeof(int)));
        }

        return values;
    }
}
