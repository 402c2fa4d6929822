namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using ContainerTest.ContainerRuntime.Jobs;

/// <summary>Job specs on the busybox test image.</summary>
internal static class Toolbox
{
    /// <summary>A job that runs <paramref name="script"/> with busybox sh.</summary>
    public static JobSpec Shell(string script) => new()
    {
        Image = TestEngine.ToolboxImage,
        Command = ["sh", "-c", script],
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Runs the job on the shared backend.</summary>
    public static Task<JobResult> RunAsync(this JobSpec spec, IJobObserver? observer = null, CancellationToken cancellationToken = default) =>
        TestEngine.Backend.RunAsync(spec, observer, cancellationToken);
}
