namespace ContainerTest.Protocol;

using System.Text.Json.Nodes;

/// <summary>
/// What ContainerTest's Microsoft.Testing.Platform extension and the container runtime side say to
/// each other about a test application (an MSTest or NUnit runner project, xUnit v3): the test
/// application itself runs in each sandbox or container, selects the one test it is handed on its
/// stdin, and reports the framework's own result through the agent protocol
/// (<see cref="ProtocolLine"/>, kinds <c>result</c>, <c>end</c>, <c>done</c>, <c>log</c>).
/// Compiled into the extension as well, which must not depend on vstest's object model.
/// </summary>
public static class TestingPlatformWire
{
    /// <summary>The executor URI ContainerTest gives a test application's tests in its own bookkeeping (never shown to the platform).</summary>
    public const string ExecutorUri = "executor://containertest/testingplatform";

    /// <summary>
    /// Set in a test application's sandbox or container: the application is a job there, which
    /// waits for its request on stdin and reports through the protocol; never set by a user.
    /// </summary>
    public const string JobVariable = "CONTAINERTEST_TESTING_PLATFORM_JOB";

    /// <summary>
    /// <see cref="JobVariable"/>'s value for a discovery run: the application started on the host
    /// to discover the run's tests (for frameworks that publish discovery only on the platform's own
    /// bus), reporting each discovered node home, its nonce in <see cref="NonceVariable"/>.
    /// </summary>
    public const string DiscoveryValue = "discover";

    /// <summary>
    /// Set in a test application's job when the host's run collects coverage with coverlet.MTP
    /// (its controller instrumented the output folder and told the test host so with
    /// <see cref="CoverletEnabledVariable"/>): after its test, the job sends the counts of coverlet's
    /// trackers home (kind <c>coverlet-hits</c>), where they are added to the hits files the
    /// controller reads, as the VSTest agent does for coverlet.collector.
    /// </summary>
    public const string CoverletHitsVariable = "CONTAINERTEST_COVERLET_HITS";

    /// <summary>What coverlet.MTP's controller sets to <c>true</c> in the test host it starts (coverlet.MTP 10.1, CoverletMtpEnvironmentVariables).</summary>
    public const string CoverletEnabledVariable = "COVERLET_MTP_COVERAGE_ENABLED";

    /// <summary>The nonce of a discovery run's protocol lines (a job reads its nonce from its request).</summary>
    public const string NonceVariable = "CONTAINERTEST_TESTING_PLATFORM_NONCE";

    /// <summary>
    /// The node a job reports when the framework's own filter, which it applies only when it runs
    /// tests (a vstest-style <c>--filter</c> under the VSTest bridge), did not select its test:
    /// natively the test is not run and not reported, and neither is it here.
    /// </summary>
    public const string UnselectedNode = "{\"unselected\":true}";

    /// <summary>
    /// The environment of a test application's job besides <see cref="JobVariable"/>: the platform's
    /// own console stays quiet (no banner, no telemetry), and a failed test (exit code 2) or a test
    /// the application did not find (8, zero tests ran) ends the process cleanly — the results say
    /// what happened, and any other exit code is the process's own failure.
    /// </summary>
    public static IReadOnlyDictionary<string, string> JobEnvironment { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [JobVariable] = "1",
        ["TESTINGPLATFORM_EXITCODE_IGNORE"] = "2;8",
        ["TESTINGPLATFORM_NOBANNER"] = "1",
        ["TESTINGPLATFORM_TELEMETRY_OPTOUT"] = "1",
    };

    /// <summary>
    /// The result property (vstest's bookkeeping on the host) that carries the framework's own
    /// result node, serialized by the extension in the container.
    /// </summary>
    public const string NodePropertyId = "ContainerTest.TestingPlatformNode";

    /// <summary>The test case property that carries a test application's arguments for its jobs (a JSON array of strings).</summary>
    public const string ArgumentsPropertyId = "ContainerTest.TestingPlatformArguments";

    /// <summary>The test case property that carries the test's node uid (the test case's name is the uid as well).</summary>
    public const string UidPropertyId = "ContainerTest.TestingPlatformUid";

    /// <summary>The request line a test application's job reads from stdin: the test to run, and the nonce of its protocol lines.</summary>
    public static byte[] Request(string uid, string nonce) =>
        System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["uid"] = uid, ["nonce"] = nonce }.ToJsonString() + "\n");

    /// <summary>Reads a request written by <see cref="Request"/>.</summary>
    /// <exception cref="InvalidDataException">The line is not such a request.</exception>
    public static (string Uid, string Nonce) ReadRequest(ReadOnlySpan<byte> line)
    {
        var json = JsonNode.Parse(line) as JsonObject ?? throw new InvalidDataException("The request is not a JSON object.");
        return (json["uid"]?.GetValue<string>() ?? throw new InvalidDataException("The request names no test (uid)."),
                json["nonce"]?.GetValue<string>() ?? throw new InvalidDataException("The request has no nonce."));
    }
}
