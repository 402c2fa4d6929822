namespace ContainerTest.Agent;

/// <summary>
/// The agent's stdin: its first line is the request (one line of JSON); after it, nothing more
/// is sent, and the end of input means the process that started the container has gone.
/// </summary>
internal sealed class StdinRequest(Stream stdin)
{
    /// <summary>Reads up to the first newline. Null when input ends first (the owner went away).</summary>
    public async Task<byte[]?> ReadLineAsync()
    {
        using var line = new MemoryStream();
        var buffer = new byte[1];
        while (await stdin.ReadAsync(buffer).ConfigureAwait(false) == 1)
        {
            if (buffer[0] == (byte)'\n')
            {
                return line.ToArray();
            }

            line.WriteByte(buffer[0]);
        }

        return null;
    }
}
