namespace ContainerTest.TestAdapter.Execution;

using System.Text;
using System.Text.Json.Nodes;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.Protocol;

/// <summary>
/// Reads a test container's output as it arrives: the agent's protocol lines become messages
/// at once (results are reported while the job still runs); everything else is the test's own
/// output, kept for a test that dies before reporting.
/// </summary>
internal sealed class AgentOutputReader(string nonce, Action<string> started, Action<JsonObject, string, string> message) : IJobObserver
{
    private const int KeptOutputChars = 1024 * 1024;
    private readonly List<byte> partialLine = [];
    private readonly StringBuilder testOutput = new();
    private readonly StringBuilder sinceLastResult = new();
    private readonly StringBuilder errorSinceLastResult = new();
    private readonly List<string> resultNames = [];
    private readonly List<string> log = [];

    /// <summary>Everything on stdout that was not a protocol line (up to 1 MiB of text).</summary>
    public string TestOutput => testOutput.ToString();

    /// <summary>How many results the agent reported.</summary>
    public int ResultCount { get; private set; }

    /// <summary>True once the agent said it finished.</summary>
    public bool Done { get; private set; }

    /// <summary>
    /// True once the framework adapter ended the test case: it has reported every result it will
    /// produce for it, whatever happens to the process afterwards.
    /// </summary>
    public bool Ended { get; private set; }

    /// <summary>The display names of the results reported so far (the test's name where a result has none), in order.</summary>
    public IReadOnlyList<string> ResultNames => resultNames;

    /// <summary>Every message the framework adapter (or the agent) logged, at any level, in order.</summary>
    public IReadOnlyList<string> Log => log;

    public void OnStarted(string jobId, string instanceId) => started(instanceId);

    public void OnOutput(string jobId, OutputChannel channel, ReadOnlySpan<byte> chunk)
    {
        if (channel == OutputChannel.Stderr)
        {
            if (errorSinceLastResult.Length < KeptOutputChars)
            {
                errorSinceLastResult.Append(Encoding.UTF8.GetString(chunk));
            }

            return; // stderr is also kept whole in the job's result
        }

        foreach (var b in chunk)
        {
            if (b == (byte)'\n')
            {
                Complete();
            }
            else
            {
                partialLine.Add(b);
            }
        }
    }

    /// <summary>Handles a last line that had no newline.</summary>
    public void Flush()
    {
        if (partialLine.Count > 0)
        {
            Complete();
        }
    }

    private void KeepTestOutput(string text)
    {
        if (text.Length > 0 && testOutput.Length < KeptOutputChars)
        {
            testOutput.Append(text);
            sinceLastResult.Append(text);
        }
    }

    private void Complete()
    {
        var line = Encoding.UTF8.GetString(partialLine.ToArray());
        partialLine.Clear();
        var parsed = ProtocolLine.TryParse(nonce, line, out var outputBefore);
        if (parsed is null)
        {
            KeepTestOutput(line + "\n");
            return;
        }

        KeepTestOutput(outputBefore);

        switch (AgentMessages.KindOf(parsed))
        {
            case AgentMessages.ResultKind:
                ResultCount++;
                resultNames.Add(parsed["displayName"]?.GetValue<string>() ?? string.Empty);
                break;
            case AgentMessages.EndKind:
                Ended = true;
                break;
            case AgentMessages.DoneKind:
                Done = true;
                break;
            case AgentMessages.LogKind:
                log.Add(parsed["text"]?.GetValue<string>() ?? string.Empty);
                break;
        }

        // Output written since the previous result belongs to this one (the agent writes a result after the test ran).
        var output = sinceLastResult.ToString();
        var error = errorSinceLastResult.ToString();
        if (AgentMessages.KindOf(parsed) == AgentMessages.ResultKind)
        {
            sinceLastResult.Clear();
            errorSinceLastResult.Clear();
        }

        message(parsed, output, error);
    }
}
