namespace ContainerTest.ContainerRuntime.Backends.Sandbox;

using ContainerTest.ContainerRuntime.Backends.Docker;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.ContainerRuntime.Layers;

/// <summary>
/// An interactive job in a sandbox: a worker container with a terminal whose supervisor makes one
/// sandbox, exactly as a pooled job of the same spec would get, attached to that terminal
/// (the sandbox spec travels as a file, since stdin is the person's keyboard).
/// </summary>
internal static class SandboxInteractiveJob
{
    private const string SpecFile = "/.containertest/interactive-sandbox.json";

    /// <summary>Runs <paramref name="spec"/> in a sandbox tied to <paramref name="terminal"/> (see <see cref="IInteractiveJobs"/>).</summary>
    /// <exception cref="SandboxUnavailableException">This build carries no sandbox helper.</exception>
    /// <remarks>Where the kernel refuses a sandbox, the supervisor says so on the terminal and exits with 125.</remarks>
    public static async Task<JobResult> RunAsync(DockerBackend docker, JobSpec spec, IJobTerminal terminal, string kind, CancellationToken cancellationToken)
    {
        var assets = SandboxAssets.Layer ?? throw new SandboxUnavailableException(SandboxAssets.Missing);
        var (worker, sandbox) = WorkerTemplate.Split(spec with { Tty = true }, assets);
        var interactive = worker with
        {
            Command = [worker.Command[0], "exec", SandboxAssets.Supervisor, "--interactive", SpecFile, SandboxAssets.Scratch],
            Layers = [.. worker.Layers, FileLayer.FromText(SpecFile, sandbox.ToJson().ToJsonString())],
            StopWhenOwnerExits = false,
        };
        var result = await docker.RunInteractiveAsync(interactive, terminal, kind, cancellationToken).ConfigureAwait(false);
        return result with { InstanceKind = "sandbox" };
    }
}
