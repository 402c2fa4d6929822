namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.ContainerRuntime.Network;
using ContainerTest.ContainerRuntime.Services;
using ContainerTest.TestAdapter.Execution;
using ContainerTest.TestAdapter.Settings;

/// <summary>Pure logic of shared services: readiness checks, the list the build writes, and the network policy tests get.</summary>
[TestClass]
public sealed class ServiceSettingsTests
{
    private static readonly NetworkEndpoint Cache = new("cache", 6379);

    [TestMethod]
    [DataRow("tcp:5432", "tcp:5432")]
    [DataRow("log:ready to accept", "log:ready to accept")]
    [DataRow("exec:pg_isready -U postgres", "exec:pg_isready -U postgres")]
    public void Readiness_checks_parse(string text, string expected)
    {
        Assert.IsTrue(ServiceReadiness.TryParse(text, out var readiness, out var error), error);
        Assert.AreEqual(expected, readiness!.ToString());
    }

    [TestMethod]
    [DataRow("tcp:http")]
    [DataRow("tcp:70000")]
    [DataRow("log:")]
    [DataRow("http:/health")]
    public void A_bad_readiness_check_says_what_is_accepted(string text)
    {
        Assert.IsFalse(ServiceReadiness.TryParse(text, out _, out var error));
        StringAssert.Contains(error, "use tcp:PORT");
    }

    [TestMethod]
    [DataRow("db", true)]
    [DataRow("redis-cache", true)]
    [DataRow("DB", false)]
    [DataRow("-db", false)]
    [DataRow("db.local", false)]
    [DataRow("localhost", false)]
    public void Service_names_are_host_names(string name, bool valid) =>
        Assert.AreEqual(valid, ServiceSpec.IsValidName(name, out _));

    [TestMethod]
    public void No_network_becomes_exactly_the_services()
    {
        Assert.AreEqual(NetworkPolicy.Allow(Cache), ServiceNetwork.With(NetworkPolicy.None, [Cache]));
        Assert.AreEqual(NetworkPolicy.Allow(Cache), ServiceNetwork.With(NetworkPolicy.Loopback, [Cache]));
    }

    [TestMethod]
    public void An_allow_list_gains_the_services_and_open_stays_open()
    {
        var api = new NetworkEndpoint("api.example", 443);
        Assert.AreEqual(NetworkPolicy.Allow(api, Cache), ServiceNetwork.With(NetworkPolicy.Allow(api), [Cache]));
        Assert.AreEqual(NetworkPolicy.Allow(Cache), ServiceNetwork.With(NetworkPolicy.Allow(Cache), [Cache]));
        Assert.AreEqual(NetworkPolicy.Open, ServiceNetwork.With(NetworkPolicy.Open, [Cache]));
        Assert.AreEqual(NetworkPolicy.None, ServiceNetwork.With(NetworkPolicy.None, []));
    }

    [TestMethod]
    public void The_list_the_build_writes_is_read_back()
    {
        var output = Directory.CreateTempSubdirectory("containertest-services-").FullName;
        Directory.CreateDirectory(Path.Combine(output, ".containertest"));
        File.WriteAllText(Path.Combine(output, ServiceList.File), """
            [{ "name": "db", "image": "postgres:16", "ports": [5432], "environment": { "POSTGRES_PASSWORD": "test" },
               "command": [], "ready": "exec:pg_isready", "readyTimeout": "90s" }]
            """);

        var service = ServiceList.Load(output).Single();

        Assert.AreEqual("db", service.Name);
        Assert.AreEqual("postgres:16", service.Image);
        Assert.AreEqual(5432, service.Ports.Single());
        Assert.AreEqual("test", service.Environment["POSTGRES_PASSWORD"]);
        Assert.AreEqual(new CommandReadiness(["pg_isready"]).ToString(), service.Readiness!.ToString());
        Assert.AreEqual(TimeSpan.FromSeconds(90), service.ReadyTimeout);
        Assert.AreEqual(new NetworkEndpoint("db", 5432), service.Endpoints.Single());
        Directory.Delete(output, recursive: true);
    }

    [TestMethod]
    public void A_broken_list_is_one_message_naming_the_file()
    {
        var output = Directory.CreateTempSubdirectory("containertest-services-").FullName;
        Directory.CreateDirectory(Path.Combine(output, ".containertest"));
        File.WriteAllText(Path.Combine(output, ServiceList.File), "[{ \"name\": ");

        var error = Assert.ThrowsExactly<InvalidSettingException>(() => ServiceList.Load(output));

        StringAssert.Contains(error.Message, ServiceList.File);
        StringAssert.Contains(error.Message, "Build the test project again");
        Directory.Delete(output, recursive: true);
    }
}
