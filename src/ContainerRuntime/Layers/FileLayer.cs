namespace ContainerTest.ContainerRuntime.Layers;

/// <summary>One file with the given content (a stub, a config file, a script) at <paramref name="ContainerPath"/>.</summary>
/// <param name="ContainerPath">Absolute path of the file inside the job; missing parent directories are created.</param>
/// <param name="Content">The file's bytes.</param>
/// <param name="Mode">Permission bits (octal 644 by default; 755 for an executable).</param>
public sealed record FileLayer(string ContainerPath, ReadOnlyMemory<byte> Content, int Mode = FileLayer.ReadableMode) : Layer
{
    /// <summary>rw-r--r-- (octal 644).</summary>
    public const int ReadableMode = 0b110_100_100;

    /// <summary>rwxr-xr-x (octal 755).</summary>
    public const int ExecutableMode = 0b111_101_101;

    /// <summary>A UTF-8 text file.</summary>
    public static FileLayer FromText(string containerPath, string text, int mode = ReadableMode) =>
        new(containerPath, System.Text.Encoding.UTF8.GetBytes(text), mode);

    internal override void Validate() => RequireAbsoluteContainerPath(ContainerPath, "File layer's path");
}
