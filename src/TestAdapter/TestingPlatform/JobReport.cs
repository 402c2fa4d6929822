namespace ContainerTest.TestingPlatform;

using System.Text.Json.Nodes;
using ContainerTest.Protocol;
using Microsoft.Testing.Platform.Extensions.Messages;

/// <summary>
/// What a test application in a job (or in a discovery run on the host) sends home on its stdout,
/// as protocol lines: every result node the framework publishes (whatever bus it publishes to: this
/// is fed by a data consumer of the platform's own messages), or in a discovery run every node it
/// discovers; then, when the process ends after the framework finished, that it ended and is done.
/// A process that ends before the framework finished (a crash, Environment.Exit) says neither, and
/// the host reports how it ended.
/// </summary>
internal sealed class JobReport
{
    private readonly object gate = new();
    private readonly Stream stdout = Console.OpenStandardOutput();
    private readonly bool discovery;
    private readonly bool frameworkFilters;
    private string? nonce;
    private int worst;
    private int results;
    private bool finished;

    /// <summary>
    /// A report of results (<paramref name="discovery"/> false) or of discovered nodes.
    /// <paramref name="frameworkFilters"/>: the application was given a filter the framework applies
    /// as it runs, so a test it reports nothing for was not selected (see <see cref="TestingPlatformWire.UnselectedNode"/>).
    /// </summary>
    public JobReport(bool discovery, bool frameworkFilters)
    {
        this.discovery = discovery;
        this.frameworkFilters = frameworkFilters;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Close();
    }

    /// <summary>The types the platform hands <see cref="ConsumeAsync"/>.</summary>
    public static Type[] DataTypes => [typeof(TestNodeUpdateMessage)];

    /// <summary>From now on, lines carry <paramref name="requestNonce"/>.</summary>
    public void Start(string requestNonce)
    {
        lock (gate)
        {
            nonce = requestNonce;
        }
    }

    /// <summary>The framework finished its request: the end of the process is a clean one.</summary>
    public void Finish()
    {
        lock (gate)
        {
            finished = true;
        }
    }

    /// <summary>Sends <paramref name="message"/> home as it is (coverage counts).</summary>
    public void Send(JsonObject message) => Write(message);

    /// <summary>Writes a line saying the framework failed the request itself.</summary>
    public void Fail(Exception exception) =>
        Write(new JsonObject { ["kind"] = "log", ["level"] = 2, ["text"] = $"The test framework failed running the test: {exception}" });

    /// <summary>One message of the platform.</summary>
    public Task ConsumeAsync(IData data, CancellationToken cancellationToken)
    {
        if (data is not TestNodeUpdateMessage { TestNode: var node } || node.Properties.AsEnumerable().OfType<TestNodeStateProperty>().FirstOrDefault() is not { } state)
        {
            return Task.CompletedTask;
        }

        if (discovery && state is DiscoveredTestNodeStateProperty)
        {
            Write(new JsonObject { ["kind"] = "discovered", ["node"] = NodeJson.Write(node) });
        }
        else if (!discovery && state is not (DiscoveredTestNodeStateProperty or InProgressTestNodeStateProperty))
        {
            var outcome = state switch
            {
                PassedTestNodeStateProperty => 1,
                SkippedTestNodeStateProperty => 3,
                _ => 2,
            };
            lock (gate)
            {
                worst = Rank(outcome) > Rank(worst) ? outcome : worst;
                results++;
            }

            Write(Result(node, state, outcome));
        }

        return Task.CompletedTask;
    }

    private void Close()
    {
        lock (gate)
        {
            if (!finished || nonce is null)
            {
                return;
            }

            finished = false;
        }

        if (!discovery && results == 0 && frameworkFilters)
        {
            Write(new JsonObject
            {
                ["kind"] = "result",
                ["outcome"] = 0,
                ["properties"] = new JsonArray(new JsonObject { ["id"] = TestingPlatformWire.NodePropertyId, ["valueType"] = typeof(string).FullName, ["value"] = TestingPlatformWire.UnselectedNode }),
            });
        }

        Write(new JsonObject { ["kind"] = "end", ["outcome"] = worst });
        Write(new JsonObject { ["kind"] = "done" });
    }

    private void Write(JsonObject message)
    {
        lock (gate)
        {
            if (nonce is null)
            {
                return;
            }

            stdout.Write(ProtocolLine.Format(nonce, message));
            stdout.Flush();
        }
    }

    /// <summary>A result line: the vstest-shaped fields the host's bookkeeping reads (outcome as vstest counts it), and the node itself.</summary>
    private static JsonObject Result(TestNode node, TestNodeStateProperty state, int outcome)
    {
        var timing = node.Properties.AsEnumerable().OfType<TimingProperty>().FirstOrDefault();
        var exception = state switch
        {
            FailedTestNodeStateProperty failed => failed.Exception,
            ErrorTestNodeStateProperty error => error.Exception,
            TimeoutTestNodeStateProperty timeout => timeout.Exception,
            CancelledTestNodeStateProperty cancelled => cancelled.Exception,
            _ => null,
        };
        return new JsonObject
        {
            ["kind"] = "result",
            ["outcome"] = outcome,
            ["displayName"] = node.DisplayName,
            ["errorMessage"] = exception?.Message ?? (outcome == 2 ? state.Explanation : null),
            ["errorStackTrace"] = exception?.StackTrace,
            ["durationTicks"] = timing?.GlobalTiming.Duration.Ticks ?? 0,
            ["properties"] = new JsonArray(new JsonObject
            {
                ["id"] = TestingPlatformWire.NodePropertyId,
                ["valueType"] = typeof(string).FullName,
                ["value"] = NodeJson.Write(node).ToJsonString(),
            }),
        };
    }

    /// <summary>vstest's outcomes (None 0, Passed 1, Failed 2, Skipped 3) from best to worst.</summary>
    private static int Rank(int outcome) => outcome switch
    {
        2 => 3,
        3 => 2,
        1 => 1,
        _ => 0,
    };
}
