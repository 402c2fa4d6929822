namespace ContainerTest.TestingPlatform;

using ContainerTest.Protocol;
using Microsoft.Testing.Platform.Extensions.Messages;
using Microsoft.Testing.Platform.Extensions.TestFramework;
using Microsoft.Testing.Platform.Requests;

/// <summary>
/// The test application as a job: in one test's sandbox or container, started ahead of need (a
/// warm pool) and ready, it waits on stdin for its request — the uid of the one test to run — and
/// hands the framework a run of that test alone; the end of stdin (the host went away) ends the
/// process. As a discovery run on the host (<see cref="TestingPlatformWire.DiscoveryValue"/>), it
/// hands the framework a discovery under the run's own filter instead. What the framework
/// publishes goes home through <see cref="JobReport"/>.
/// </summary>
internal sealed class JobFramework(ITestFramework inner, JobReport report, bool discovery) : WrappedFramework(inner)
{
    /// <summary>Exit code when the host went away.</summary>
    private const int OwnerGoneExitCode = 125;

    private int coverletHitsSent;

    /// <inheritdoc />
    public override async Task ExecuteRequestAsync(ExecuteRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request is not RunTestExecutionRequest run)
        {
            await Inner.ExecuteRequestAsync(context).ConfigureAwait(false);
            return;
        }

        IRequest request;
        if (discovery)
        {
            report.Start(Environment.GetEnvironmentVariable(TestingPlatformWire.NonceVariable) ?? string.Empty);
            request = new DiscoverTestExecutionRequest(run.Session, run.Filter);
        }
        else
        {
            var stdin = Console.OpenStandardInput();
            var line = await ReadLineAsync(stdin, context.CancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                Environment.Exit(OwnerGoneExitCode);
            }

            var (uid, nonce) = TestingPlatformWire.ReadRequest(line);
            ExitWhenClosed(stdin);
            report.Start(nonce);
            if (Environment.GetEnvironmentVariable(TestingPlatformWire.CoverletHitsVariable) == "1")
            {
                // Also when the test ends the process (Environment.Exit), as coverlet's trackers flush at exit natively.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => SendCoverletHits();
            }

            request = new RunTestExecutionRequest(run.Session, new TestNodeUidListFilter([new TestNodeUid(uid)]));
        }

        try
        {
            var completion = new RequestCompletion();
            await Inner.ExecuteRequestAsync(new ExecuteRequestContext(request, context.MessageBus, completion, context.CancellationToken)).ConfigureAwait(false);
            await completion.Completed.WaitAsync(context.CancellationToken).ConfigureAwait(false);
            if (!discovery && Environment.GetEnvironmentVariable(TestingPlatformWire.CoverletHitsVariable) == "1")
            {
                SendCoverletHits();
            }

            report.Finish();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            report.Fail(ex);
            throw;
        }
        finally
        {
            context.Complete();
        }
    }

    /// <summary>Sends coverlet's counts home, once: after the test, or when the test ends the process.</summary>
    private void SendCoverletHits()
    {
        if (Interlocked.Exchange(ref coverletHitsSent, 1) != 0)
        {
            return;
        }

        foreach (var hits in Agent.CoverletTrackers.Take([.. Agent.InstrumentableAssemblies.WithTypes()]))
        {
            report.Send(hits.ToMessage());
        }
    }

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
}
