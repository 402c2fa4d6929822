namespace ContainerTest.TestingPlatform;

using System.Text.Json.Nodes;
using ContainerTest.Protocol;
using Microsoft.Testing.Platform.Extensions.Messages;
using Microsoft.Testing.Platform.Extensions.TestFramework;
using Microsoft.Testing.Platform.Messages;
using Microsoft.Testing.Platform.Requests;

/// <summary>
/// The test application inside one test's sandbox or container. Started ahead of need (a warm
/// pool) and ready, it waits on stdin for its request — the uid of the one test to run — and
/// hands the framework a run of that test alone; every result node the framework publishes is
/// also written home on stdout as a protocol line (<see cref="TestingPlatformWire"/>), and the end of
/// stdin (the host went away) ends the process.
/// </summary>
internal sealed class JobFramework(ITestFramework inner) : WrappedFramework(inner)
{
    /// <summary>Exit code when the host went away.</summary>
    private const int OwnerGoneExitCode = 125;

    /// <inheritdoc />
    public override async Task ExecuteRequestAsync(ExecuteRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request is not RunTestExecutionRequest run)
        {
            await Inner.ExecuteRequestAsync(context).ConfigureAwait(false);
            return;
        }

        var stdin = Console.OpenStandardInput();
        var line = await ReadLineAsync(stdin, context.CancellationToken).ConfigureAwait(false);
        if (line is null)
        {
            Environment.Exit(OwnerGoneExitCode);
        }

        var (uid, nonce) = TestingPlatformWire.ReadRequest(line);
        ExitWhenClosed(stdin);
        var writer = new ProtocolStream(nonce);
        var completion = new RequestCompletion();
        var worst = Outcome.None;
        var bus = new ReportingBus(context.MessageBus, node =>
        {
            var outcome = OutcomeOf(node);
            worst = Rank(outcome) > Rank(worst) ? outcome : worst;
            writer.Write(Result(node, outcome));
        });

        try
        {
            await Inner.ExecuteRequestAsync(new ExecuteRequestContext(
                new RunTestExecutionRequest(run.Session, new TestNodeUidListFilter([new TestNodeUid(uid)])),
                bus,
                completion,
                context.CancellationToken)).ConfigureAwait(false);
            await completion.Completed.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            writer.Write(new JsonObject { ["kind"] = "log", ["level"] = 2, ["text"] = $"The test framework failed running the test: {ex}" });
            throw;
        }
        finally
        {
            writer.Write(new JsonObject { ["kind"] = "end", ["outcome"] = (int)worst });
            writer.Write(new JsonObject { ["kind"] = "done" });
            context.Complete();
        }
    }

    /// <summary>A result line: the vstest-shaped fields the host's bookkeeping reads, and the node itself.</summary>
    private static JsonObject Result(TestNode node, Outcome outcome)
    {
        var state = node.Properties.AsEnumerable().OfType<TestNodeStateProperty>().FirstOrDefault();
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
            ["outcome"] = (int)outcome,
            ["displayName"] = node.DisplayName,
            ["errorMessage"] = exception?.Message ?? (outcome == Outcome.Failed ? state?.Explanation : null),
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

    /// <summary>vstest's outcomes, as the host's bookkeeping counts them.</summary>
    private enum Outcome
    {
        None = 0,
        Passed = 1,
        Failed = 2,
        Skipped = 3,
    }

    private static int Rank(Outcome outcome) => outcome switch
    {
        Outcome.Failed => 3,
        Outcome.Skipped => 2,
        Outcome.Passed => 1,
        _ => 0,
    };

    private static Outcome OutcomeOf(TestNode node) => node.Properties.AsEnumerable().OfType<TestNodeStateProperty>().FirstOrDefault() switch
    {
        PassedTestNodeStateProperty => Outcome.Passed,
        SkippedTestNodeStateProperty => Outcome.Skipped,
        _ => Outcome.Failed,
    };

    private static async Task<byte[]?> ReadLineAsync(Stream stdin, CancellationToken cancellationToken)
    {
        using var line = new MemoryStream();
        var buffer = new byte[1];
        while (await stdin.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) == 1)
        {
            if (buffer[0] == (byte)'\n')
            {
                return line.ToArray();
            }

            line.WriteByte(buffer[0]);
        }

        return null;
    }

    /// <summary>The host holds stdin open while it lives; its end means the run is gone, and so is this test.</summary>
    private static void ExitWhenClosed(Stream stdin)
    {
        var watcher = new Thread(() =>
        {
            try
            {
                var buffer = new byte[256];
                while (stdin.Read(buffer, 0, buffer.Length) > 0)
                {
                    // Nothing more is ever sent; only the end of input matters.
                }
            }
            catch (IOException)
            {
                // A broken stdin is a closed one.
            }

            Environment.Exit(OwnerGoneExitCode);
        })
        {
            IsBackground = true,
            Name = "ContainerTest owner link",
        };
        watcher.Start();
    }

    /// <summary>
    /// The bus the framework publishes to in the job: each final result node is reported home
    /// (before it travels on, so that nothing the framework reported can be lost after it), then
    /// passed to the application's own bus as usual.
    /// </summary>
    private sealed class ReportingBus(IMessageBus inner, Action<TestNode> report) : IMessageBus
    {
        public Task PublishAsync(IDataProducer dataProducer, IData data)
        {
            if (data is TestNodeUpdateMessage { TestNode: var node }
                && node.Properties.AsEnumerable().OfType<TestNodeStateProperty>().FirstOrDefault() is { } state
                && state is not (DiscoveredTestNodeStateProperty or InProgressTestNodeStateProperty))
            {
                report(node);
            }

            return inner.PublishAsync(dataProducer, data);
        }
    }

    /// <summary>Whole protocol lines on the process's real stdout, one at a time, flushed at once.</summary>
    private sealed class ProtocolStream(string nonce)
    {
        private readonly object gate = new();
        private readonly Stream stdout = Console.OpenStandardOutput();

        public void Write(JsonObject message)
        {
            var line = ProtocolLine.Format(nonce, message);
            lock (gate)
            {
                stdout.Write(line);
                stdout.Flush();
            }
        }
    }
}
