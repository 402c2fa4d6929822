namespace ContainerTest.ContainerRuntime;

using ContainerTest.ContainerRuntime.Jobs;

/// <summary>Makes pools of jobs (see <see cref="IJobPool"/>).</summary>
public interface IJobPoolFactory
{
    /// <summary>
    /// A pool for jobs of <paramref name="jobTemplate"/>. The image and whatever the jobs share are
    /// made ready here, before the first job.
    /// </summary>
    /// <exception cref="Errors.ContainerRuntimeException">The engine, the image or the request is at fault.</exception>
    Task<IJobPool> CreatePoolAsync(JobSpec jobTemplate, JobPoolOptions options, CancellationToken cancellationToken = default);
}
