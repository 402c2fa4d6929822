namespace ContainerTest.TestingPlatform;

using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ContainerTest.Protocol;
using Microsoft.Testing.Platform.Extensions.Messages;

/// <summary>
/// Discovery for frameworks that publish what they discover only on the platform's own bus (the
/// VSTest bridge's: NUnit), where ContainerTest cannot take it without every other extension
/// (the console, TRX, <c>dotnet test</c>) also seeing it mid-run: the same application is started
/// once more on the host, natively, with the run's arguments and filters, to discover and report
/// each node home on its stdout (<see cref="JobReport"/>).
/// </summary>
internal static class DiscoveryProcess
{
    /// <summary>The framework's discovered nodes, in its order.</summary>
    /// <exception cref="ContainerTestRuntimeException">The discovery run failed; the message says how, with its output.</exception>
    public static async Task<List<TestNode>> RunAsync(string application, IReadOnlyList<string> arguments, string fileFolder, CancellationToken cancellationToken)
    {
        var nonce = Guid.NewGuid().ToString("N");
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath ?? "dotnet",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(application); // started through the dotnet host, not its own executable
        }

        foreach (var argument in JobArguments.ForDiscovery(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[TestingPlatformWire.JobVariable] = TestingPlatformWire.DiscoveryValue;
        start.Environment[TestingPlatformWire.NonceVariable] = nonce;
        foreach (var (name, value) in TestingPlatformWire.JobEnvironment.Where(v => v.Key != TestingPlatformWire.JobVariable))
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new ContainerTestRuntimeException($"ContainerTest could not start {start.FileName} to discover the tests.");
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        var nodes = new List<TestNode>();
        var output = new StringBuilder();
        var done = false;
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                var message = ProtocolLine.TryParse(nonce, line, out var before);
                output.Append(before);
                switch (message?["kind"]?.GetValue<string>())
                {
                    case null:
                        output.AppendLine(line);
                        break;
                    case "discovered" when message["node"] is JsonObject node:
                        var (uid, displayName, properties) = NodeJson.Read(node, fileFolder, []);
                        nodes.Add(new TestNode { Uid = new TestNodeUid(uid), DisplayName = displayName, Properties = new PropertyBag(properties) });
                        break;
                    case "log":
                        output.AppendLine(message["text"]?.GetValue<string>());
                        break;
                    case "done":
                        done = true;
                        break;
                }
            }

            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        if (!done)
        {
            throw new ContainerTestRuntimeException(
                $"ContainerTest could not discover the tests: the application's discovery run ({start.FileName} {string.Join(' ', start.ArgumentList)}) exited with code {process.ExitCode} before it finished. "
                + $"Its output:{Environment.NewLine}{output}{await error.ConfigureAwait(false)}");
        }

        return nodes;
    }
}
