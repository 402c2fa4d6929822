namespace ContainerTest.TestAdapter.Settings;

using ContainerTest.ContainerRuntime.Composition;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Network;
using ContainerTest.ContainerRuntime.Services;

/// <summary>The effective configuration of a run, after every source has had its say.</summary>
internal sealed record ContainerTestSettings
{
    /// <summary>Run tests in containers (false: natively, as without ContainerTest).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// What isolates each test: a fresh sandbox inside long-lived worker containers (the default),
    /// or a container of its own. Where sandboxes cannot be made, a run falls back to containers
    /// and says why.
    /// </summary>
    public JobIsolation Isolation { get; init; } = JobIsolation.Sandbox;

    /// <summary>
    /// Where the workers run: on the engine of DOCKER_HOST (<see cref="JobCluster.None"/>, the
    /// default) or on the nodes of the Swarm it manages (<see cref="JobCluster.Swarm"/>; then
    /// <see cref="Registry"/> is required).
    /// </summary>
    public JobCluster Cluster { get; init; } = JobCluster.None;

    /// <summary>With a cluster: the registry (<c>host[:port][/path]</c>) the worker image is pushed to and every node pulls from.</summary>
    public string? Registry { get; init; }

    /// <summary>What runs the tests: a Docker Engine (sandboxes or containers, the default), or QEMU (a virtual machine per test).</summary>
    public RuntimeBackend Backend { get; init; } = RuntimeBackend.Docker;

    /// <summary>For the qemu backend: the kernel its VMs boot (a vmlinuz, or a folder with boot/ and lib/modules/); null to find one.</summary>
    public string? Kernel { get; init; }

    /// <summary>The image tests run in; null means the host image (built from this machine's .NET).</summary>
    public string? Image { get; init; }

    /// <summary>
    /// How many test containers run at once. Twice the logical cores: much of a container's life
    /// is the engine creating, starting and removing it, and a test waiting on I/O or a timer
    /// holds no core, so one container per core leaves the cores idle (bench/: 200 trivial tests
    /// in 73 s at 2 on 2 cores, 62 s at 4, 64 s at 8).
    /// </summary>
    public int Parallelism { get; init; } = 2 * Environment.ProcessorCount;

    /// <summary>
    /// How many containers are kept created and started ahead of need, each with the agent
    /// waiting for its one test (0: none; each test's container is then made when its turn
    /// comes). Null: as many as <see cref="Parallelism"/>.
    /// </summary>
    public int? PoolDepth { get; init; }

    /// <summary>How long one test's container may run before it is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Where <see cref="Timeout"/> comes from, for messages: the setting, or vstest's --blame-hang-timeout.</summary>
    public string TimeoutOrigin { get; init; } = "ContainerTestTimeout";

    /// <summary>True when the run asked for crash dumps (--blame-crash), which are not collected in containers.</summary>
    public bool BlameCrash { get; init; }

    /// <summary>What a test may reach over the network.</summary>
    public NetworkPolicy Network { get; init; } = NetworkPolicy.None;

    /// <summary>
    /// Each test reaches the Docker Engine the run uses (its socket, usable by the test's user) and
    /// the containers it starts (the network is then open): what Testcontainers needs. Off by default:
    /// a test that tries the engine is told ContainerTest's sandbox blocked it, and which setting
    /// allows it. A test with engine access can do anything the engine can.
    /// </summary>
    public bool DockerAccess { get; init; }

    /// <summary>
    /// The shared services (the project's <c>ContainerTestService</c> items) started once per run
    /// before the first test and reachable from every test by name.
    /// </summary>
    public IReadOnlyList<ServiceSpec> Services { get; init; } = [];

    /// <summary>Memory limit per test container.</summary>
    public long MemoryBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>CPU quota per test container, in cores.</summary>
    public double Cpus { get; init; } = Environment.ProcessorCount;

    /// <summary>Process and thread limit per test container.</summary>
    public long Pids { get; init; } = 2048;

    /// <summary>The uid:gid tests run as.</summary>
    public UserIdentity User { get; init; } = new(1000, 1000);

    /// <summary>The size of the tmpfs at /tmp (and of the one at HOME) when it is not set: 512 MiB, at most a quarter of the memory limit each.</summary>
    public const long DefaultTmpSizeBytes = 512L * 1024 * 1024;

    /// <summary>The tmpfs size the configuration set (ContainerTestTmpSize); null: chosen to fit the memory limit.</summary>
    public long? ConfiguredTmpSizeBytes { get; init; }

    /// <summary>
    /// Size of the tmpfs at /tmp (and of the one at HOME). Their pages count against the memory
    /// limit, so unless set, each is at most a quarter of it: a test that fills /tmp gets "No space
    /// left on device", not an out-of-memory kill.
    /// </summary>
    public long TmpSizeBytes => ConfiguredTmpSizeBytes ?? Math.Min(DefaultTmpSizeBytes, MemoryBytes / 4);

    /// <summary>
    /// Pass the run's time zone and locale (TZ, LANG, LANGUAGE, LC_*) to every test, as a native run
    /// has them; false: tests see the image's own (UTC and the invariant culture in the host image).
    /// </summary>
    public bool InheritLocale { get; init; } = true;

    /// <summary>Things about the configuration the user should hear (a setting that cannot work as meant); one message each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// The test framework's assemblies precompiled for this machine by the build (a folder of the
    /// runtime cache named <c>linux-&lt;arch&gt;-&lt;hash&gt;</c>, holding them at their paths
    /// relative to the output), laid over the output folder in each sandbox or container; null
    /// for none (<c>ContainerTestReadyToRun=false</c>, or no compiler for the framework).
    /// </summary>
    public string? ReadyToRunLayer { get; init; }

    /// <summary>
    /// The file that remembers each test's last duration and outcome, to start tests longest
    /// first (the build sets it inside the project's obj/ folder). Null: no history, tests start
    /// in discovery order.
    /// </summary>
    public string? HistoryFile { get; init; }

    /// <summary>
    /// The host folder containers see read-only as the source tree, at its own path. Null: the
    /// repository holding the test output (its .git folder), else the solution's folder, else the
    /// project's (see SourceTree).
    /// </summary>
    public string? SourceRoot { get; init; }

    /// <summary>More host folders containers see read-only at their own paths (files a test reads from outside the source tree).</summary>
    public IReadOnlyList<string> ReadOnlyPaths { get; init; } = [];
}
