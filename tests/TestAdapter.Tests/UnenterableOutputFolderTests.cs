namespace ContainerTest.TestAdapter.Tests;

using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.TestAdapter.Execution;

/// <summary>Pure logic: which output folders draw the warning that the tests' user cannot reach them in the image.</summary>
[TestClass]
public sealed class UnenterableOutputFolderTests
{
    [TestMethod]
    public void A_project_under_root_with_a_non_root_user_is_named_with_both_ways_out()
    {
        var warning = UnenterableOutputFolder.Warning("/root/src/Tests/bin/Debug/net10.0", new UserIdentity(1000, 1000));

        StringAssert.Contains(warning, "the tests of /root/src/Tests/bin/Debug/net10.0 run as uid 1000 (ContainerTestUser), which may not enter /root");
        StringAssert.Contains(warning, "Move the project out of /root, or run the tests as root in their sandboxes (ContainerTestUser=0)");
    }

    [TestMethod]
    public void Root_as_the_user_or_a_project_elsewhere_draws_nothing()
    {
        Assert.IsNull(UnenterableOutputFolder.Warning("/root/src/Tests/bin", UserIdentity.Root));
        Assert.IsNull(UnenterableOutputFolder.Warning("/home/me/src/Tests/bin", new UserIdentity(1000, 1000)), "a home folder the image does not have is made open");
        Assert.IsNull(UnenterableOutputFolder.Warning("/rootless/Tests/bin", new UserIdentity(1000, 1000)));
    }
}
