namespace ContainerTest.ContainerRuntime.Jobs;

/// <summary>
/// The user's terminal, for an interactive job: what the user types goes to the job's
/// pseudo-terminal, what the job writes comes back, and the window's size follows the user's.
/// Putting the user's terminal in raw mode is the caller's business.
/// </summary>
public interface IJobTerminal
{
    /// <summary>The keystrokes (raw bytes, Ctrl-C included) for the job.</summary>
    Stream Input { get; }

    /// <summary>Where the job's terminal output goes.</summary>
    Stream Output { get; }

    /// <summary>The window's size now.</summary>
    TerminalSize Size { get; }

    /// <summary>Raised when the window's size changes.</summary>
    event EventHandler? Resized;
}
