namespace ContainerTest.TestAdapter.Tests.Fixtures;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

/// <summary>Runs the real <c>dotnet test</c> on a project and returns what it printed and the TRX it wrote.</summary>
internal static class DotnetTest
{
    public sealed record Outcome(int ExitCode, string Output, TrxReport Report, TimeSpan Elapsed);

    /// <summary>The repository's root (where ContainerTest.sln is).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static string PathOf(string relativeProject) => Path.Combine(RepositoryRoot, relativeProject);

    /// <summary>
    /// Set by <c>./build.sh test</c> once it has built ContainerTest.sln, which holds every test
    /// project the tests build: they are not built again (an up-to-date build of one costs 10–25 s
    /// on the 2-core CI machine, and the tests ask for about fifty).
    /// </summary>
    public const string SolutionBuiltVariable = "CONTAINERTEST_SUITE_SOLUTION_BUILT";

    private static readonly ConcurrentDictionary<string, Lazy<Task>> Built = new(StringComparer.Ordinal);
    private static readonly Lazy<HashSet<string>> SolutionProjects = new(ReadSolutionProjects);

    /// <summary>
    /// Builds a project (Release) the way build.sh does, once per test process: a project this
    /// process built already, or one of ContainerTest.sln that build.sh has just built (see
    /// <see cref="SolutionBuiltVariable"/>), is not built again.
    /// </summary>
    public static Task BuildAsync(string project, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(project);
        if (Environment.GetEnvironmentVariable(SolutionBuiltVariable) == "1" && SolutionProjects.Value.Contains(path))
        {
            return Task.CompletedTask;
        }

        return Built.GetOrAdd(path, p => new Lazy<Task>(() => BuildNowAsync(p, CancellationToken.None))).Value.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// <c>--no-dependencies</c> when build.sh has just built ContainerTest.sln (see
    /// <see cref="SolutionBuiltVariable"/>), for a build of a project outside it that references
    /// ContainerTest's own projects: a <c>--no-incremental</c> build would otherwise compile them all again.
    /// </summary>
    public static string[] SolutionBuiltSwitches =>
        Environment.GetEnvironmentVariable(SolutionBuiltVariable) == "1" ? ["--no-dependencies"] : [];

    /// <summary>Builds a project (Release) now, whatever was built before: after a test built it another way.</summary>
    public static async Task BuildAgainAsync(string project, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(project);
        await BuildNowAsync(path, cancellationToken);
        Built[path] = new Lazy<Task>(Task.CompletedTask);
    }

    private static async Task BuildNowAsync(string project, CancellationToken cancellationToken)
    {
        var (exit, output) = await RunAsync(["build", project, "-c", "Release", "-nologo", "-clp:ErrorsOnly"], null, TimeSpan.FromMinutes(5), cancellationToken);
        if (exit != 0)
        {
            throw new InvalidOperationException($"building {project} failed:\n{output}");
        }
    }

    /// <summary>The full paths of the projects in ContainerTest.sln (lines <c>Project("{type}") = "Name", "relative\path.csproj", "{id}"</c>).</summary>
    private static HashSet<string> ReadSolutionProjects() =>
        File.ReadLines(Path.Combine(RepositoryRoot, "ContainerTest.sln"))
            .Where(line => line.StartsWith("Project(", StringComparison.Ordinal))
            .Select(line => line.Split('"'))
            .Where(fields => fields.Length > 5 && fields[5].EndsWith("proj", StringComparison.Ordinal))
            .Select(fields => Path.GetFullPath(Path.Combine(RepositoryRoot, fields[5].Replace('\\', '/'))))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Runs <c>dotnet test --no-build</c> with a TRX logger; extra arguments and environment as
    /// given; through <paramref name="launcher"/> (a command that runs dotnet for us, say as another user) when given.
    /// </summary>
    /// <param name="project">The project (or test assembly).</param>
    /// <param name="extraArguments">Arguments after the usual ones.</param>
    /// <param name="environment">Variables set for the run.</param>
    /// <param name="timeout">How long the run may take (8 minutes).</param>
    /// <param name="launcher">A command that runs dotnet for us.</param>
    /// <param name="onLine">Called with each line of output as it comes (to act in the middle of a run).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public static async Task<Outcome> TestAsync(string project, IEnumerable<string>? extraArguments = null, IDictionary<string, string>? environment = null, TimeSpan? timeout = null, IReadOnlyList<string>? launcher = null, Action<string>? onLine = null, CancellationToken cancellationToken = default)
    {
        var results = Path.Combine(Path.GetTempPath(), "containertest-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(results);
        if (launcher is not null && !OperatingSystem.IsWindows())
        {
            // The launcher may run dotnet as another user, who must be able to write the results.
            File.SetUnixFileMode(results, (UnixFileMode)0x1FF);
        }

        // A test assembly goes straight to vstest.console, which knows no build options.
        string[] buildOptions = project.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? [] : ["-c", "Release", "--no-build", "-nologo"];
        string[] arguments = ["test", project, .. buildOptions, "--logger", "trx;LogFileName=results.trx", "--results-directory", results, .. extraArguments ?? []];
        var clock = Stopwatch.StartNew();
        var (exit, output) = await RunAsync(arguments, environment, timeout ?? TimeSpan.FromMinutes(8), cancellationToken, launcher: launcher, onLine: onLine);
        var trx = Path.Combine(results, "results.trx");
        if (!File.Exists(trx))
        {
            throw new InvalidOperationException($"dotnet test wrote no TRX (exit {exit}):\n{output}");
        }

        return new Outcome(exit, output, TrxReport.Load(trx), clock.Elapsed);
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, IDictionary<string, string>? environment, TimeSpan timeout, CancellationToken cancellationToken, string? workingDirectory = null, IReadOnlyList<string>? launcher = null, Action<string>? onLine = null)
    {
        var start = new ProcessStartInfo(launcher is [var program, ..] ? program : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? RepositoryRoot };
        foreach (var argument in launcher is { Count: > 0 } ? launcher.Skip(1).Append("dotnet").Concat(arguments) : arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // The outer test run's own variables must not leak into the inner one.
        start.Environment.Remove("VSTEST_HOST_DEBUG");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, output, onLine);
        var stderr = PumpAsync(process.StandardError, output, onLine);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout}:\n{output}");
        }

        await Task.WhenAll(stdout, stderr);
        return (process.ExitCode, output.ToString());
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into, Action<string>? onLine)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (into)
            {
                into.AppendLine(line);
            }

            onLine?.Invoke(line);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ContainerTest.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ContainerTest.sln not found above " + AppContext.BaseDirectory);
    }
}
