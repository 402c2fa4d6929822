namespace ContainerTest.TestAdapter.Execution;

using System.Collections.Concurrent;
using System.Globalization;
using System.Xml.Linq;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;
using ContainerTest.Protocol;
using ContainerTest.TestAdapter.RuntimeLayer;
using ContainerTest.TestAdapter.Selection;
using ContainerTest.TestAdapter.Settings;
using ContainerTest.TestAdapter.TestingPlatform;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// The job that runs one test case: the test's output folder as a private copy-on-write layer at
/// its own path (so AppContext.BaseDirectory and every copied file are where the test expects
/// them), the agent started like vstest starts its testhost, and the sandbox from the settings.
/// </summary>
/// <param name="settings">The run's settings.</param>
/// <param name="image">The image every job runs on.</param>
/// <param name="runSettingsXml">The run's settings XML, as vstest gave it.</param>
/// <param name="microsoftCoverageBuffers">The probe buffers of Microsoft's code coverage collector every test gets; none without it (and for a shell).</param>
internal sealed class TestJobBuilder(ContainerTestSettings settings, string image, string? runSettingsXml, IReadOnlyList<MicrosoftCoverageBuffer>? microsoftCoverageBuffers = null)
{
    /// <summary>HOME inside the container: a tmpfs of its own.</summary>
    public const string HomeDirectory = "/home/containertest";

    /// <summary>The agent assembly, which the build puts beside the test assembly.</summary>
    public const string AgentFileName = "ContainerTest.Agent.dll";

    private readonly IReadOnlyDictionary<string, string> runSettingsEnvironment = ReadEnvironment(runSettingsXml);
    private readonly ConcurrentDictionary<string, RuntimeProvision> runtimes = new(StringComparer.Ordinal);
    private readonly bool coverletCollector = Coverage.CoverletCollector.IsEnabled(runSettingsXml);
    private readonly ConcurrentDictionary<string, bool> coverletInstrumented = new(StringComparer.Ordinal);

    /// <summary>The job for one test case: its template with the request on stdin and the test's name as a label.</summary>
    public (JobSpec Spec, string Nonce) Build(TestCase testCase, string runId)
    {
        var (input, nonce) = Request(testCase);
        var template = Template(testCase, runId, "t" + nonce[..11]);
        var spec = template with
        {
            StandardInput = input,
            Labels = new Dictionary<string, string>(template.Labels)
            {
                ["io.containertest.test"] = Truncate(testCase.FullyQualifiedName, 256),
            },
        };
        return (spec, nonce);
    }

    /// <summary>
    /// The job every test case of <paramref name="testCase"/>'s assembly and framework runs in,
    /// before it is told which test to run (the agent loads the framework adapter meanwhile):
    /// what a warm pool starts ahead of need.
    /// </summary>
    public JobSpec Template(TestCase testCase, string runId, string? jobId = null)
    {
        var source = Path.GetFullPath(testCase.Source);
        if (TestingPlatformTests.Is(testCase))
        {
            // A Microsoft.Testing.Platform test application is its own runner: it runs in the job itself.
            var application = Job(source, jobId ?? "w" + Guid.NewGuid().ToString("N")[..11], runId, RuntimeFor(source), TestingPlatformTests.ArgumentsOf(testCase), application: true);
            return application with { Labels = new Dictionary<string, string> { ["io.containertest.source"] = Truncate(source, 256) } };
        }

        var adapterPath = AdapterOf(testCase);
        var job = Job(source, jobId ?? "w" + Guid.NewGuid().ToString("N")[..11], runId, RuntimeFor(source), ["--adapter", adapterPath, "--executor", TestCaseTags.FrameworkExecutorOf(testCase)]);
        (job, var engineArguments) = DockerAccess.Apply(job, settings);
        return job with
        {
            Command = [.. job.Command, .. engineArguments],
            Labels = new Dictionary<string, string> { ["io.containertest.source"] = Truncate(source, 256) },
        };
    }

    /// <summary>The request for one test case, as the agent reads it from stdin, and the nonce that marks its protocol lines.</summary>
    public (byte[] Input, string Nonce) Request(TestCase testCase)
    {
        if (TestingPlatformTests.Is(testCase))
        {
            var applicationNonce = Guid.NewGuid().ToString("N");
            return (TestingPlatformWire.Request(TestingPlatformTests.UidOf(testCase), applicationNonce), applicationNonce);
        }

        var executorUri = TestCaseTags.FrameworkExecutorOf(testCase);
        var nonce = Guid.NewGuid().ToString("N");
        var (wholeSource, selectingSettings) = FrameworkSelection.Request(testCase, runSettingsXml);
        var request = new AgentRequest
        {
            Source = Path.GetFullPath(testCase.Source),
            AdapterPath = AdapterOf(testCase),
            ExecutorUri = executorUri,
            RunSettingsXml = ConsoleCapture.TakenFromContainer(executorUri) ? ConsoleCapture.WithoutFrameworkCapture(selectingSettings, executorUri, AdapterOf(testCase)) : selectingSettings,
            Nonce = nonce,
            TestCase = testCase,
            CollectCoverletHits = coverletCollector || coverletInstrumented.GetOrAdd(Path.GetDirectoryName(Path.GetFullPath(testCase.Source))!, Coverage.CoverletInstrumentation.IsIn),
            MicrosoftCoverageBuffers = microsoftCoverageBuffers ?? [],
            RunWholeSource = wholeSource,
        };
        return (request.ToStdinLine(), nonce);
    }

    /// <summary>From now on, the tests of <paramref name="source"/> get their .NET runtime this way.</summary>
    public void UseRuntime(string source, RuntimeProvision provision) => runtimes[Path.GetFullPath(source)] = provision;

    /// <summary>
    /// A job that starts the agent exactly as a test's job would, but only to see whether the
    /// runtime starts in the image: it prints <see cref="AgentProbe.Reply"/> and exits.
    /// </summary>
    public JobSpec BuildProbe(string source, string runId, RuntimeProvision provision)
    {
        source = Path.GetFullPath(source);
        var spec = Job(source, "p" + Guid.NewGuid().ToString("N")[..11], runId, provision, [AgentProbe.Argument]);
        return spec with
        {
            Timeout = TimeSpan.FromMinutes(1),
            Labels = new Dictionary<string, string> { ["io.containertest.source"] = Truncate(source, 256) },
        };
    }

    private static string AdapterOf(TestCase testCase) =>
        TestCaseTags.FrameworkAdapterOf(testCase)
            ?? throw new InvalidOperationException($"ContainerTest: the test case {testCase.FullyQualifiedName} was not discovered by ContainerTest; run discovery again.");

    private RuntimeProvision RuntimeFor(string source) => runtimes.GetValueOrDefault(source, RuntimeProvision.Image);

    /// <summary>
    /// The job shape every test gets. It starts the agent with <paramref name="arguments"/>; for a
    /// test <paramref name="application"/> (Microsoft.Testing.Platform), the test application itself,
    /// told by <see cref="TestingPlatformWire.JobEnvironment"/> that it is a job.
    /// </summary>
    private JobSpec Job(string source, string jobId, string runId, RuntimeProvision runtime, IEnumerable<string> arguments, bool application = false)
    {
        var output = Path.GetDirectoryName(source)!;
        var name = Path.GetFileNameWithoutExtension(source);
        // The run's locale first, so that runsettings' own variables win over it.
        var environment = new Dictionary<string, string>(
            (settings.InheritLocale ? HostLocale.Variables(Environment.GetEnvironmentVariables()) : []).Concat(runSettingsEnvironment).GroupBy(v => v.Key).Select(g => g.Last()),
            StringComparer.Ordinal)
        {
            ["HOME"] = HomeDirectory,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["CONTAINERTEST_JOB_ID"] = jobId,
            ["CONTAINERTEST_RUN_ID"] = runId,
        };
        runtime.AddEnvironment(environment);
        if (application)
        {
            foreach (var (variable, value) in TestingPlatformWire.JobEnvironment)
            {
                environment[variable] = value;
            }

            if (string.Equals(Environment.GetEnvironmentVariable(TestingPlatformWire.CoverletEnabledVariable), "true", StringComparison.OrdinalIgnoreCase))
            {
                environment[TestingPlatformWire.CoverletHitsVariable] = "1";
            }
        }

        return new JobSpec
        {
            Image = image,
            JobId = jobId,
            DotnetHost = runtime.DotnetCommand,
            Command =
            [
                runtime.DotnetCommand, "exec",
                "--runtimeconfig", Path.Combine(output, name + ".runtimeconfig.json"),
                "--depsfile", Path.Combine(output, name + ".deps.json"),
                application ? source : Path.Combine(output, AgentFileName),
                .. arguments,
            ],
            Layers =
            [
                .. SourceTree.ReadOnlyFolders(output, settings).Select(folder => new HostDirectoryLayer(folder, folder)),
                new HostDirectoryLayer(output, output, LayerAccess.CopyOnWrite),
                .. ReadyToRunLayer.Over(output, settings.ReadyToRunLayer),
                .. runtime.Layers,
            ],
            WorkingDirectory = output,
            Environment = environment,
            User = settings.User,
            Network = settings.Network,
            Mounts = [new TmpfsMount("/tmp", settings.TmpSizeBytes), new TmpfsMount(HomeDirectory, settings.TmpSizeBytes)],
            Limits = new ResourceLimits(settings.MemoryBytes, settings.Cpus, settings.Pids),
            Timeout = settings.Timeout,
            StopWhenOwnerExits = true,
        };
    }

    /// <summary>The variables of runsettings' <c>RunConfiguration/EnvironmentVariables</c>, which the test must see.</summary>
    private static Dictionary<string, string> ReadEnvironment(string? runSettingsXml)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(runSettingsXml))
        {
            return variables;
        }

        var section = XDocument.Parse(runSettingsXml).Root?.Element("RunConfiguration")?.Element("EnvironmentVariables");
        foreach (var element in section?.Elements() ?? [])
        {
            variables[element.Name.LocalName] = element.Value;
        }

        return variables;
    }

    private static string Truncate(string text, int length) =>
        text.Length <= length ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..(length - 1)]}…");
}
