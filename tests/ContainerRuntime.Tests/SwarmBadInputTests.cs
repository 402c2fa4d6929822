namespace ContainerTest.ContainerRuntime.Tests;

using ContainerTest.ContainerRuntime.Composition;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// A cluster asked for where there is none, or without what it needs, gets one message naming the
/// cause and the fix, before anything is started (against this machine's engine, which is no
/// Swarm manager).
/// </summary>
[TestClass]
public sealed class SwarmBadInputTests
{
    [TestMethod]
    public async Task A_cluster_without_a_registry_is_refused_naming_the_setting()
    {
        var ex = await Assert.ThrowsExactlyAsync<BackendUnavailableException>(() => JobRuntime.ConnectAsync(new JobRuntimeOptions { Cluster = JobCluster.Swarm }));
        StringAssert.Contains(ex.Message, "ContainerTestCluster=swarm needs ContainerTestRegistry");
    }

    [TestMethod]
    public async Task A_registry_given_as_a_url_is_refused_with_the_form_expected()
    {
        var ex = await Assert.ThrowsExactlyAsync<BackendUnavailableException>(() => JobRuntime.ConnectAsync(new JobRuntimeOptions { Cluster = JobCluster.Swarm, Registry = "http://registry.example:5000" }));
        StringAssert.Contains(ex.Message, "without a scheme");
    }

    [TestMethod]
    public async Task An_engine_that_is_no_swarm_manager_is_refused_saying_where_to_point_DOCKER_HOST()
    {
        var ex = await Assert.ThrowsExactlyAsync<BackendUnavailableException>(() => JobRuntime.ConnectAsync(new JobRuntimeOptions { Cluster = JobCluster.Swarm, Registry = "127.0.0.1:5000" }));
        StringAssert.Contains(ex.Message, "is not part of a Swarm");
        StringAssert.Contains(ex.Message, "Point DOCKER_HOST at a manager");
    }

    [TestMethod]
    public async Task Container_isolation_on_a_cluster_is_refused_saying_which_to_unset()
    {
        var ex = await Assert.ThrowsExactlyAsync<BackendUnavailableException>(() => JobRuntime.ConnectAsync(new JobRuntimeOptions { Cluster = JobCluster.Swarm, Isolation = JobIsolation.Container, Registry = "127.0.0.1:5000" }));
        StringAssert.Contains(ex.Message, "cannot be combined");
    }
}
