namespace ContainerTest.ContainerRuntime.Backends.Qemu;

/// <summary>The names of what a VM's folder holds: the sockets QEMU connects to, and the console log.</summary>
internal static class VmSockets
{
    /// <summary>QMP, QEMU's control protocol.</summary>
    public const string Qmp = "q";

    /// <summary>The init's control port.</summary>
    public const string Control = "c";

    /// <summary>The command's stdin.</summary>
    public const string Input = "i";

    /// <summary>The command's stdout.</summary>
    public const string Output = "o";

    /// <summary>The command's stderr.</summary>
    public const string Error = "e";

    /// <summary>An interactive job's terminal (the second serial port).</summary>
    public const string Terminal = "t";

    /// <summary>The kernel's console (the first serial port), kept for messages when a VM fails.</summary>
    public const string ConsoleLog = "console.log";

    /// <summary>The virtio-serial ports of a VM (port name, socket name), in the order QEMU connects.</summary>
    public static IEnumerable<(string Name, string Socket)> Ports(VmLayout layout)
    {
        yield return ("ctl", Control);
        if (layout.Stdin)
        {
            yield return ("in", Input);
        }

        if (!layout.Terminal)
        {
            yield return ("out", Output);
            yield return ("err", Error);
        }
    }
}
