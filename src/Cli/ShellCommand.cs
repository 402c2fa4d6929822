namespace ContainerTest.Cli;

using System.CommandLine;
using System.Runtime.InteropServices;
using ContainerTest.Cli.Projects;
using ContainerTest.Cli.Shell;
using ContainerTest.Cli.Terminal;
using ContainerTest.ContainerRuntime.Composition;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.TestAdapter.Execution;

/// <summary>
/// <c>dotnet containertest shell [&lt;filter&gt;]</c>: an interactive shell in the container
/// `dotnet test` would run that one test in, with the toolbox at /.containertest/bin.
/// </summary>
internal static class ShellCommand
{
    public static Command Create()
    {
        var filter = new Argument<string?>("filter") { Description = "Which test, in `dotnet test --filter` syntax (a bare word means FullyQualifiedName~word). Must select exactly one.", Arity = ArgumentArity.ZeroOrOne };
        var project = new ProjectOptions();
        var run = new Option<bool>("--run") { Description = "Run the test in the container first (its output shown), then open the shell on the files as it left them." };
        var prepend = new Option<bool>("--path-prepend") { Description = "Put /.containertest/bin first in PATH (its tools win over the image's)." };
        var append = new Option<bool>("--path-append") { Description = "Put /.containertest/bin last in PATH (the default: the image's tools win)." };
        var noPath = new Option<bool>("--no-path") { Description = "Leave PATH as the test has it; the tools are still at /.containertest/bin." };
        var image = new Option<string?>("--image") { Description = "Use this image instead of the test's." };
        var command = new Command("shell", "Open a shell in the container a test runs in: same image, files, environment, user, limits and network.") { filter, run, append, prepend, noPath, image };
        foreach (var option in project.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var placement = (parse.GetValue(append), parse.GetValue(prepend), parse.GetValue(noPath)) switch
            {
                (_, false, false) => PathPlacement.Append,
                (false, true, false) => PathPlacement.Prepend,
                (false, false, true) => PathPlacement.None,
                _ => (PathPlacement?)null,
            };
            if (placement is null)
            {
                await Console.Error.WriteLineAsync("dotnet containertest shell: --path-append, --path-prepend and --no-path exclude each other: give one.").ConfigureAwait(false);
                return 2;
            }

            return await CliErrors.ReportAsync(ct => RunAsync(project, parse, parse.GetValue(filter), parse.GetValue(run), placement.Value, parse.GetValue(image), ct), "shell", cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(ProjectOptions project, ParseResult parse, string? filter, bool runFirst, PathPlacement placement, string? image, CancellationToken cancellationToken)
    {
        var testAssembly = await project.BuildAsync(parse, cancellationToken).ConfigureAwait(false);
        var testCase = (await TestSelection.DiscoverAsync(testAssembly, filter, cancellationToken).ConfigureAwait(false)).Single();
        var toolbox = await ToolboxLayers.LoadAsync(Path.GetDirectoryName(testAssembly)!, cancellationToken).ConfigureAwait(false);

        // A closed terminal or a kill ends the session; the container is removed either way.
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            session.Cancel();
        });
        var settings = TestSettings.Load(testAssembly);
        await using var runtime = await JobRuntime.ConnectAsync(
            new JobRuntimeOptions { Backend = settings.Backend, Kernel = settings.Kernel, Isolation = settings.Isolation, OnNotice = notice => Console.Error.WriteLine(notice) },
            session.Token).ConfigureAwait(false);
        var chosenImage = await TestSettings.ImageAsync(runtime, settings, image, session.Token).ConfigureAwait(false);

        // The run's shared services, as `dotnet test` starts them, for as long as the shell lasts.
        await using var services = settings.Services.Count > 0 ? await runtime.StartServicesAsync(settings.Services, session.Token).ConfigureAwait(false) : null;
        settings = services is null ? settings : settings with { Network = ServiceNetwork.With(settings.Network, services.Endpoints) };
        var (testJob, _) = new TestJobBuilder(settings, chosenImage, runSettingsXml: null).Build(testCase, runtime.RunId);
        var spec = ShellJob.From(testJob, toolbox, placement, runFirst);

        await Console.Error.WriteLineAsync(
            $"ContainerTest: shell in the {Kind(runtime)} of {testCase.FullyQualifiedName} (image {chosenImage}, user {settings.User}, network {DockerAccess.Network(settings)}{(services is null ? string.Empty : ", services " + string.Join(", ", services.Names))}); tools in {ToolboxLayers.Folder}. `exit` leaves and removes the {Kind(runtime)}.").ConfigureAwait(false);
        JobResult result;
        using (var terminal = new UserTerminal())
        {
            result = await runtime.Interactive.RunInteractiveAsync(spec, terminal, "shell", session.Token).ConfigureAwait(false);
        }

        switch (result.Termination)
        {
            case TerminationReason.Exited:
                return result.ExitCode ?? 0;
            case TerminationReason.FailedToStart:
                await Console.Error.WriteLineAsync($"dotnet containertest shell: {result.FailureCause} Check that the image {chosenImage} exists and suits the test, or pass another with --image.").ConfigureAwait(false);
                return 2;
            default:
                await Console.Error.WriteLineAsync($"dotnet containertest shell: the session was ended from outside; its {result.InstanceKind} was removed.").ConfigureAwait(false);
                return 130;
        }
    }

    private static string Kind(JobRuntime runtime) => runtime.Isolation switch
    {
        JobIsolation.Sandbox => "sandbox",
        JobIsolation.VirtualMachine => "virtual machine",
        _ => "container",
    };
}
