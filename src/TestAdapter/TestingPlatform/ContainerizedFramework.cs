namespace ContainerTest.TestingPlatform;

using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ContainerTest.Protocol;
using Microsoft.Testing.Platform.Extensions.Messages;
using Microsoft.Testing.Platform.Extensions.TestFramework;
using Microsoft.Testing.Platform.Messages;
using Microsoft.Testing.Platform.Requests;
using Microsoft.Testing.Platform.TestHost;

/// <summary>
/// The test framework as the platform sees it on the host. Discovery is the real framework's, as
/// is everything but running tests. A run discovers the selected tests through the real
/// framework (with the run's own filter), hands them to ContainerTest's run — each test in a fresh
/// sandbox or container where the same application runs it alone — and publishes what comes back:
/// the framework's own result nodes (uid, name, state, exception, timing, output, TRX details), so
/// the platform's console, reports and exit code are what a native run gives. While a debugger is
/// attached, or with ContainerTest switched off at run time, the run is the real framework's, with
/// a warning saying so.
/// </summary>
internal sealed class ContainerizedFramework(ITestFramework inner, IServiceProvider services, string[] arguments) : WrappedFramework(inner)
{
    private readonly string[] arguments = arguments;
    private readonly SemaphoreSlim planGate = new(1, 1);
    private (string Mode, string[] Messages)? plan;

    /// <inheritdoc />
    public override async Task ExecuteRequestAsync(ExecuteRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request is not RunTestExecutionRequest run)
        {
            await Inner.ExecuteRequestAsync(context).ConfigureAwait(false);
            return;
        }

        var output = new OutputDeviceMessages(services, this);
        var (mode, messages) = await PlanAsync(output, context.CancellationToken).ConfigureAwait(false);
        if (mode == "native")
        {
            await Inner.ExecuteRequestAsync(context).ConfigureAwait(false);
            return;
        }

        try
        {
            var tests = await DiscoverAsync(run, context.CancellationToken).ConfigureAwait(false);
            if (mode == "invalid")
            {
                foreach (var test in tests.Values)
                {
                    await PublishAsync(context, run, Failed(test, string.Join(Environment.NewLine, messages), null, null)).ConfigureAwait(false);
                }

                return;
            }

            if (tests.Count > 0)
            {
                await RunInJobsAsync(context, run, tests, output).ConfigureAwait(false);
            }
        }
        finally
        {
            context.Complete();
        }
    }

    /// <summary>Decided once per process: containers, native (a debugger, ContainerTest switched off) or invalid settings; its messages shown once.</summary>
    private async Task<(string Mode, string[] Messages)> PlanAsync(OutputDeviceMessages output, CancellationToken cancellationToken)
    {
        await planGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (plan is { } known)
            {
                return known;
            }

            if (Debugger.IsAttached)
            {
                plan = ("native", ["ContainerTest: the run is being debugged, so tests run natively in this process, not in containers."]);
            }
            else
            {
                try
                {
                    var json = JsonNode.Parse(ContainerTestRuntime.Plan(Application)) as JsonObject;
                    plan = (json?["mode"]?.GetValue<string>() ?? "invalid", (json?["messages"] as JsonArray ?? []).Select(m => m?.GetValue<string>() ?? string.Empty).ToArray());
                }
                catch (ContainerTestRuntimeException ex)
                {
                    plan = ("invalid", [ex.Message]);
                }
            }

            foreach (var message in plan.Value.Messages)
            {
                await (plan.Value.Mode == "invalid" ? output.ErrorAsync(message, cancellationToken) : output.WarnAsync(message, cancellationToken)).ConfigureAwait(false);
            }

            return plan.Value;
        }
        finally
        {
            planGate.Release();
        }
    }

    /// <summary>The test application's main assembly, which each job runs.</summary>
    private static string Application => Assembly.GetEntryAssembly()?.Location is { Length: > 0 } location
        ? location
        : throw new ContainerTestRuntimeException("ContainerTest: the test application has no entry assembly on disk, so it cannot be run in a sandbox or container.");

    /// <summary>
    /// The tests the run selects, as the real framework discovers them under the run's filter, by
    /// uid in discovery order: here, on a bus of ContainerTest's own; for a framework that publishes
    /// discovery only on the platform's bus (the VSTest bridge's), in a discovery run of the application.
    /// </summary>
    private async Task<Dictionary<string, TestNode>> DiscoverAsync(RunTestExecutionRequest run, CancellationToken cancellationToken)
    {
        IReadOnlyList<TestNode> discovered;
        if (IsVSTestBridged(Inner))
        {
            var arguments = run.Filter.GetType().Name == "TreeNodeFilter" && run.Filter.GetType().GetProperty("Filter")?.GetValue(run.Filter) is string tree && !this.arguments.Contains("--treenode-filter")
                ? [.. this.arguments, "--treenode-filter", tree]
                : this.arguments;
            discovered = await DiscoveryProcess.RunAsync(Application, arguments, FileFolder, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var bus = new CapturingBus();
            var completion = new RequestCompletion();
            await Inner.ExecuteRequestAsync(new ExecuteRequestContext(new DiscoverTestExecutionRequest(run.Session, run.Filter), bus, completion, cancellationToken)).ConfigureAwait(false);
            await completion.Completed.WaitAsync(cancellationToken).ConfigureAwait(false);
            discovered = bus.Nodes;
        }

        var selected = run.Filter is TestNodeUidListFilter list ? list.TestNodeUids.Select(u => u.Value).ToHashSet(StringComparer.Ordinal) : null;
        var tests = new Dictionary<string, TestNode>(StringComparer.Ordinal);
        foreach (var node in discovered)
        {
            if (selected?.Contains(node.Uid.Value) != false && State(node) is DiscoveredTestNodeStateProperty or null)
            {
                tests.TryAdd(node.Uid.Value, node);
            }
        }

        return tests;
    }

    /// <summary>True for a framework built on the VSTest bridge, which publishes discovery on the platform's bus only.</summary>
    private static bool IsVSTestBridged(ITestFramework framework)
    {
        for (var type = framework.GetType(); type is not null; type = type.BaseType)
        {
            if (type.FullName == "Microsoft.Testing.Extensions.VSTestBridge.VSTestBridgedTestFrameworkBase")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Where files a test attached in its sandbox or container are copied to.</summary>
    private static string FileFolder => Path.Combine(Path.GetDirectoryName(Application)!, "TestResults", "ContainerTest", "files");

    private async Task RunInJobsAsync(ExecuteRequestContext context, RunTestExecutionRequest run, Dictionary<string, TestNode> tests, OutputDeviceMessages output)
    {
        var events = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var fileFolder = FileFolder;
        var publishing = Task.Run(async () =>
        {
            await foreach (var report in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await OnEventAsync(context, run, tests, output, fileFolder, JsonNode.Parse(report) as JsonObject ?? []).ConfigureAwait(false);
            }
        });

        try
        {
            var list = tests.Values.Select(t => new[] { t.Uid.Value, t.DisplayName }).ToArray();
            await ContainerTestRuntime.RunAsync(Application, JobArguments.For(arguments), list, report => events.Writer.TryWrite(report), context.CancellationToken).ConfigureAwait(false);
        }
        catch (ContainerTestRuntimeException ex)
        {
            await output.ErrorAsync(ex.Message, CancellationToken.None).ConfigureAwait(false);
            foreach (var test in tests.Values)
            {
                events.Writer.TryWrite(new JsonObject { ["kind"] = "result", ["uid"] = test.Uid.Value, ["errorMessage"] = ex.Message }.ToJsonString());
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The platform reports a cancelled run itself; the sandboxes and containers are gone.
        }
        finally
        {
            events.Writer.Complete();
            await publishing.ConfigureAwait(false);
        }
    }

    /// <summary>One event of ContainerTest's run (see TestingPlatformHandle on the runtime's side).</summary>
    private async Task OnEventAsync(ExecuteRequestContext context, RunTestExecutionRequest run, Dictionary<string, TestNode> tests, OutputDeviceMessages output, string fileFolder, JsonObject report)
    {
        var uid = report["uid"]?.GetValue<string>() ?? string.Empty;
        tests.TryGetValue(uid, out var discovered);
        switch (report["kind"]?.GetValue<string>())
        {
            case "start" when discovered is not null:
                await PublishAsync(context, run, WithState(discovered, new InProgressTestNodeStateProperty())).ConfigureAwait(false);
                break;
            case "result" when report["node"]?.GetValue<string>() == TestingPlatformWire.UnselectedNode:
                break; // the framework's own filter did not select it: natively it is not reported either
            case "result" when report["node"]?.GetValue<string>() is { } nodeJson:
                await PublishAsync(context, run, FromJob(JsonNode.Parse(nodeJson) as JsonObject ?? [], discovered, fileFolder)).ConfigureAwait(false);
                break;
            case "result" when discovered is not null:
                var message = report["errorMessage"]?.GetValue<string>() ?? "ContainerTest: the test reported no result.";
                var note = report["note"]?.GetValue<string>();
                await PublishAsync(context, run, Failed(discovered, string.IsNullOrEmpty(note) ? message : message + Environment.NewLine + note, report["output"]?.GetValue<string>(), report["error"]?.GetValue<string>(), Timing(report))).ConfigureAwait(false);
                break;
            case "log":
                var text = report["text"]?.GetValue<string>() ?? string.Empty;
                await (report["level"]?.GetValue<int>() switch
                {
                    2 => output.ErrorAsync(text, CancellationToken.None),
                    1 => output.WarnAsync(text, CancellationToken.None),
                    _ => output.InformAsync(text, CancellationToken.None),
                }).ConfigureAwait(false);
                break;
        }
    }

    private Task PublishAsync(ExecuteRequestContext context, RunTestExecutionRequest run, TestNode node) =>
        context.MessageBus.PublishAsync(this, new TestNodeUpdateMessage(run.Session.SessionUid, node));

    /// <summary>
    /// The framework's result node from the job. Properties the job could not send (a type this
    /// side cannot rebuild) are taken from the node the framework discovered here, when it is the same test.
    /// </summary>
    private static TestNode FromJob(JsonObject json, TestNode? discovered, string fileFolder)
    {
        var (uid, displayName, properties) = NodeJson.Read(json, fileFolder, []);
        if (discovered is not null && discovered.Uid.Value == uid)
        {
            var present = properties.Select(p => p.GetType()).ToHashSet();
            properties.AddRange(discovered.Properties.AsEnumerable().Where(p => p is not TestNodeStateProperty && !present.Contains(p.GetType())));
        }

        if (!properties.OfType<TestNodeStateProperty>().Any())
        {
            properties.Add(new FailedTestNodeStateProperty("ContainerTest: the test's result came back without its state."));
        }

        return new TestNode { Uid = new TestNodeUid(uid), DisplayName = displayName, Properties = new PropertyBag(properties) };
    }

    /// <summary>The test failed without the framework reporting it (its sandbox crashed, timed out…): the reason as its error.</summary>
    private static TestNode Failed(TestNode discovered, string message, string? output, string? error, TimingProperty? timing = null)
    {
        var properties = discovered.Properties.AsEnumerable().Where(p => p is not TestNodeStateProperty).ToList();
        properties.Add(new FailedTestNodeStateProperty(message));
        if (timing is not null)
        {
            properties.Add(timing);
        }

        if (!string.IsNullOrEmpty(output))
        {
            properties.Add(new StandardOutputProperty(output));
        }

        if (!string.IsNullOrEmpty(error))
        {
            properties.Add(new StandardErrorProperty(error));
        }

        if (TrxException(message) is { } trx)
        {
            properties.Add(trx);
        }

        return new TestNode { Uid = discovered.Uid, DisplayName = discovered.DisplayName, Properties = new PropertyBag(properties) };
    }

    /// <summary>TRX takes a result's error from its own property (when the application has the TRX extension's abstractions).</summary>
    private static IProperty? TrxException(string message) =>
        NodeJson.Resolve("Microsoft.Testing.Extensions.TrxReport.Abstractions.TrxExceptionProperty") is { } type
        && type.GetConstructor([typeof(string), typeof(string)]) is { } constructor
            ? constructor.Invoke([message, null]) as IProperty
            : null;

    private static TimingProperty? Timing(JsonObject report) =>
        DateTimeOffset.TryParse(report["startTime"]?.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var start)
        && DateTimeOffset.TryParse(report["endTime"]?.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var end)
        && start != default
            ? new TimingProperty(new TimingInfo(start, end, TimeSpan.FromTicks(report["durationTicks"]?.GetValue<long>() ?? (end - start).Ticks)))
            : null;

    private static TestNode WithState(TestNode node, TestNodeStateProperty state) => new()
    {
        Uid = node.Uid,
        DisplayName = node.DisplayName,
        Properties = new PropertyBag([.. node.Properties.AsEnumerable().Where(p => p is not TestNodeStateProperty), state]),
    };

    private static TestNodeStateProperty? State(TestNode node) => node.Properties.AsEnumerable().OfType<TestNodeStateProperty>().FirstOrDefault();

    /// <summary>The bus discovery on the host publishes to: it keeps the nodes and tells no one.</summary>
    private sealed class CapturingBus : IMessageBus
    {
        private readonly List<TestNode> nodes = [];

        public IReadOnlyList<TestNode> Nodes
        {
            get
            {
                lock (nodes)
                {
                    return [.. nodes];
                }
            }
        }

        public Task PublishAsync(IDataProducer dataProducer, IData data)
        {
            if (data is TestNodeUpdateMessage { TestNode: var node })
            {
                lock (nodes)
                {
                    nodes.Add(node);
                }
            }

            return Task.CompletedTask;
        }
    }
}
