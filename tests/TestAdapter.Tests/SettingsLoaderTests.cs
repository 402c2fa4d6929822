namespace ContainerTest.TestAdapter.Tests;

using System.Collections;
using ContainerTest.ContainerRuntime.Network;
using ContainerTest.TestAdapter.Settings;

/// <summary>Pure logic: where each setting comes from, and the message for a bad value.</summary>
[TestClass]
public sealed class SettingsLoaderTests
{
    private const string RunSettings = """
        <RunSettings>
          <ContainerTest>
            <Timeout>90s</Timeout>
            <Memory>1g</Memory>
            <Network>loopback</Network>
          </ContainerTest>
        </RunSettings>
        """;

    [TestMethod]
    public void Defaults_are_sandboxed()
    {
        var settings = SettingsLoader.Load(null, null, new Hashtable());

        Assert.IsTrue(settings.Enabled);
        Assert.AreEqual(NetworkPolicy.None, settings.Network);
        Assert.AreEqual(1000, settings.User.Uid);
        Assert.AreEqual(TimeSpan.FromMinutes(10), settings.Timeout);
    }

    [TestMethod]
    public void Environment_beats_runsettings_which_beats_the_build_file()
    {
        var output = Directory.CreateTempSubdirectory("containertest-settings-").FullName;
        Directory.CreateDirectory(Path.Combine(output, ".containertest"));
        File.WriteAllText(Path.Combine(output, SettingsLoader.BuildSettingsFile), """{ "Timeout": "5m", "Cpus": "1.5", "Memory": "512m" }""");

        var settings = SettingsLoader.Load(output, RunSettings, new Hashtable { ["CONTAINERTEST_MEMORY"] = "3g" });

        Assert.AreEqual(TimeSpan.FromSeconds(90), settings.Timeout, "runsettings over the build file");
        Assert.AreEqual(1.5, settings.Cpus, "the build file where nothing overrides it");
        Assert.AreEqual(3L * 1024 * 1024 * 1024, settings.MemoryBytes, "environment over everything");
        Assert.AreEqual(NetworkPolicy.Loopback, settings.Network);
        Directory.Delete(output, recursive: true);
    }

    [TestMethod]
    public void The_history_file_comes_from_the_build_file_and_is_none_without_it()
    {
        var output = Directory.CreateTempSubdirectory("containertest-settings-").FullName;
        Directory.CreateDirectory(Path.Combine(output, ".containertest"));
        File.WriteAllText(Path.Combine(output, SettingsLoader.BuildSettingsFile), """{ "HistoryFile": "/repo/obj/Release/net10.0/containertest/durations.json" }""");

        Assert.AreEqual("/repo/obj/Release/net10.0/containertest/durations.json", SettingsLoader.Load(output, null, new Hashtable()).HistoryFile);
        Assert.IsNull(SettingsLoader.Load(null, null, new Hashtable()).HistoryFile, "an assembly run without the build's file has no history");
        Assert.AreEqual(Path.GetFullPath("elsewhere.json"), SettingsLoader.Load(output, null, new Hashtable { ["CONTAINERTEST_HISTORY_FILE"] = "elsewhere.json" }).HistoryFile);
        Directory.Delete(output, recursive: true);
    }

    [TestMethod]
    public void CONTAINERTEST_0_switches_containers_off()
    {
        Assert.IsFalse(SettingsLoader.Load(null, null, new Hashtable { ["CONTAINERTEST"] = "0" }).Enabled);
    }

    [TestMethod]
    [DataRow("CONTAINERTEST_TIMEOUT", "soon", "Timeout", "duration")]
    [DataRow("CONTAINERTEST_MEMORY", "lots", "Memory", "size")]
    [DataRow("CONTAINERTEST_NETWORK", "internet", "Network", "none, loopback, open")]
    [DataRow("CONTAINERTEST_PARALLELISM", "0", "Parallelism", "at least 1")]
    [DataRow("CONTAINERTEST_USER", "root", "User", "uid")]
    [DataRow("CONTAINERTEST_CLUSTER", "kubernetes", "Cluster", "none or swarm")]
    [DataRow("CONTAINERTEST_REGISTRY", "http://registry:5000", "Registry", "host[:port][/path]")]
    public void A_bad_value_names_the_setting_its_source_the_value_and_what_is_accepted(string variable, string value, string setting, string accepted)
    {
        var error = Assert.ThrowsExactly<InvalidSettingException>(() => SettingsLoader.Load(null, null, new Hashtable { [variable] = value }));

        StringAssert.Contains(error.Message, setting);
        StringAssert.Contains(error.Message, variable);
        StringAssert.Contains(error.Message, $"'{value}'");
        StringAssert.Contains(error.Message, accepted);
    }

    [TestMethod]
    public void The_cluster_and_its_registry_come_from_runsettings_and_the_environment()
    {
        var settings = SettingsLoader.Load(null, "<RunSettings><ContainerTest><Cluster>Swarm</Cluster><Registry>registry.example:5000/team</Registry></ContainerTest></RunSettings>", new Hashtable());
        Assert.AreEqual(ContainerTest.ContainerRuntime.Composition.JobCluster.Swarm, settings.Cluster);
        Assert.AreEqual("registry.example:5000/team", settings.Registry);
        Assert.AreEqual(ContainerTest.ContainerRuntime.Composition.JobCluster.None, SettingsLoader.Load(null, null, new Hashtable()).Cluster, "no cluster by default");
        Assert.AreEqual(ContainerTest.ContainerRuntime.Composition.JobCluster.None, SettingsLoader.Load(null, "<RunSettings><ContainerTest><Cluster>swarm</Cluster></ContainerTest></RunSettings>", new Hashtable { ["CONTAINERTEST_CLUSTER"] = "none" }).Cluster, "the environment wins");
    }

    [TestMethod]
    public void An_unknown_runsettings_element_is_an_error_listing_the_known_ones()
    {
        var error = Assert.ThrowsExactly<InvalidSettingException>(
            () => SettingsLoader.Load(null, "<RunSettings><ContainerTest><Imgae>x</Imgae></ContainerTest></RunSettings>", new Hashtable()));

        StringAssert.Contains(error.Message, "<Imgae>");
        StringAssert.Contains(error.Message, "Image");
    }

    [TestMethod]
    public void Source_root_and_read_only_paths_must_be_existing_directories()
    {
        var output = Directory.CreateTempSubdirectory("containertest-settings-").FullName;
        var first = Directory.CreateTempSubdirectory("containertest-ro-").FullName;
        var second = Directory.CreateTempSubdirectory("containertest-ro-").FullName;
        Directory.CreateDirectory(Path.Combine(output, ".containertest"));
        File.WriteAllText(Path.Combine(output, SettingsLoader.BuildSettingsFile), $$"""{ "SourceRoot": "{{first}}/", "ReadOnlyPaths": "{{first}}|{{second}}" }""");

        var settings = SettingsLoader.Load(output, null, new Hashtable());
        Assert.AreEqual(first + "/", settings.SourceRoot);
        CollectionAssert.AreEqual(new[] { first, second }, settings.ReadOnlyPaths.ToArray(), "the build writes them separated by '|'");
        CollectionAssert.AreEqual(new[] { second }, SettingsLoader.Load(output, null, new Hashtable { ["CONTAINERTEST_READONLY_PATHS"] = second }).ReadOnlyPaths.ToArray());

        var error = Assert.ThrowsExactly<InvalidSettingException>(() => SettingsLoader.Load(null, null, new Hashtable { ["CONTAINERTEST_READONLY_PATHS"] = $"{second};/no/such/folder" }));
        StringAssert.Contains(error.Message, "invalid value '" + second + ";/no/such/folder' for ReadOnlyPaths (from environment variable CONTAINERTEST_READONLY_PATHS): expected existing directories separated by ';'");
        foreach (var folder in new[] { output, first, second })
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
