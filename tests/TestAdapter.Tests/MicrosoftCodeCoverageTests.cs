namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.Protocol;
using ContainerTest.TestAdapter.Coverage;
using ContainerTest.TestAdapter.Tests.Fixtures;

/// <summary>
/// Pure logic, on real files: how the probes a job marked are set in the buffers of Microsoft's
/// collector, and that a message from inside a job can write nothing but those buffers.
/// </summary>
[TestClass]
public sealed class MicrosoftCodeCoverageTests
{
    /// <summary>The collector as ContainerTest's own run settings configure it, with `--collect "Code Coverage"`.</summary>
    private const string Settings = """
        <RunSettings><DataCollectionRunSettings><DataCollectors><DataCollector friendlyName="Code Coverage"><Configuration><CodeCoverage><ModulePaths><Exclude>
          <ModulePath>.*[\\/]ContainerTest\.[^\\/]*\.dll$</ModulePath>
          <ModulePath>.*[\\/]\.containertest[\\/].*</ModulePath>
        </Exclude></ModulePaths></CodeCoverage></Configuration></DataCollector></DataCollectors></DataCollectionRunSettings></RunSettings>
        """;

    /// <summary>The collector as a user's run settings of their own may enable it: no exclusions.</summary>
    private const string BareSettings = """<RunSettings><DataCollectionRunSettings><DataCollectors><DataCollector friendlyName="Code Coverage" /></DataCollectors></DataCollectionRunSettings></RunSettings>""";

    [TestMethod]
    public void The_probes_of_several_jobs_are_set_in_the_collectors_buffer_and_nothing_else()
    {
        var folder = Directory.CreateTempSubdirectory("containertest-mscoverage-").FullName;
        try
        {
            var prefix = Path.Combine(folder, "CodeCoverage.session.");
            var buffer = prefix + "b" + Guid.NewGuid();
            File.WriteAllBytes(buffer, [0, 0, 0, 0, 0, 0, 0, 1]);
            File.WriteAllBytes(prefix + "d" + Guid.NewGuid(), [0, 0]);
            var session = MicrosoftCodeCoverage.Find(Settings, prefix)!;
            Assert.AreEqual(buffer, session.Buffers.Single().Path, "the b-files are the buffers, the d-files are not");
            Assert.AreEqual(8, session.Buffers.Single().Length);
            Assert.AreEqual(0, session.Warnings.Count(), "buffers, and ContainerTest left out: " + string.Join(" | ", session.Warnings));

            Assert.IsNull(session.Merge(new MicrosoftCoverageProbes(buffer, [0, 2, 3])));
            Assert.IsNull(session.Merge(MicrosoftCoverageProbes.FromMessage(new MicrosoftCoverageProbes(buffer, [3, 4]).ToMessage())));

            CollectionAssert.AreEqual(new byte[] { 1, 0, 1, 1, 1, 0, 0, 1 }, File.ReadAllBytes(buffer));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void A_path_or_probe_outside_the_sessions_buffers_is_refused_with_one_warning()
    {
        var folder = Directory.CreateTempSubdirectory("containertest-mscoverage-").FullName;
        try
        {
            var prefix = Path.Combine(folder, "CodeCoverage.session.");
            var buffer = prefix + "b1";
            File.WriteAllBytes(buffer, new byte[4]);
            var elsewhere = Path.Combine(folder, "elsewhere");
            File.WriteAllBytes(elsewhere, new byte[4]);
            var session = MicrosoftCodeCoverage.Find(Settings, prefix)!;

            StringAssert.Contains(session.Merge(new MicrosoftCoverageProbes(elsewhere, [0])), "no probe buffer of this run");
            Assert.IsNull(session.Merge(new MicrosoftCoverageProbes(buffer, [4])), "said once a run");
            Assert.IsNull(session.Merge(new MicrosoftCoverageProbes(buffer, [-1])));

            CollectionAssert.AreEqual(new byte[4], File.ReadAllBytes(elsewhere), "nothing written outside the buffers");
            CollectionAssert.AreEqual(new byte[4], File.ReadAllBytes(buffer), "nor past a buffer's end");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void Without_the_collector_there_is_no_session_and_without_buffers_a_warning()
    {
        Assert.IsNull(MicrosoftCodeCoverage.Find("<RunSettings />", "/tmp/CodeCoverage.x."));
        var none = MicrosoftCodeCoverage.Find(Settings, null)!;
        Assert.AreEqual(0, none.Buffers.Count);
        StringAssert.Contains(none.Warnings.Single(), "instrumented no module");
    }

    [TestMethod]
    public void Run_settings_of_the_users_own_need_nothing_of_ContainerTest_and_draw_no_warning()
    {
        var folder = Directory.CreateTempSubdirectory("containertest-mscoverage-").FullName;
        try
        {
            var prefix = Path.Combine(folder, "CodeCoverage.session.");
            File.WriteAllBytes(prefix + "b1", new byte[4]);

            Assert.AreEqual(0, MicrosoftCodeCoverage.Find(BareSettings, prefix)!.Warnings.Count(), "no exclusion of ContainerTest's is asked for: its dependencies come without symbols");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void The_buffers_prefix_is_the_collectors_variable_or_else_the_temp_folder_and_session()
    {
        Dictionary<string, string> environment = new() { ["CODE_COVERAGE_DATA_PREFIX"] = "/x/CodeCoverage.s1.", ["CODE_COVERAGE_SESSION_NAME"] = "s1" };
        Assert.AreEqual("/x/CodeCoverage.s1.", MicrosoftCodeCoverage.DataPrefix(environment.GetValueOrDefault));

        environment.Remove("CODE_COVERAGE_DATA_PREFIX");
        Assert.AreEqual(Path.Combine(Path.GetTempPath(), "CodeCoverage.s1."), MicrosoftCodeCoverage.DataPrefix(environment.GetValueOrDefault), "without the profiler, only the session is named");

        environment["CODE_COVERAGE_SESSION_NAME"] = "../etc";
        Assert.IsNull(MicrosoftCodeCoverage.DataPrefix(environment.GetValueOrDefault), "a session name that is a path leads nowhere");
        Assert.IsNull(MicrosoftCodeCoverage.DataPrefix(_ => null), "no collector");
    }
}
