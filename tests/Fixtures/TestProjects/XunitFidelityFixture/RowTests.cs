namespace XunitFidelityFixture;

using Xunit;

/// <summary>
/// One test case with several data rows (not enumerated at discovery, so xUnit reports each row
/// as it finishes): the second row ends the process inside a container.
/// </summary>
public sealed class RowTests
{
    public static TheoryData<int> Rows => new() { 1, 2, 3 };

    [Theory]
    [MemberData(nameof(Rows), DisableDiscoveryEnumeration = true)]
    public void RowsThenCrash(int row)
    {
        if (row == 2 && Environment.GetEnvironmentVariable("CONTAINERTEST_JOB_ID") is not null)
        {
            Thread.Sleep(1500); // xUnit hands results to the runner on a thread of its own: let row 1's go out first
            Environment.Exit(3);
        }

        Assert.True(row > 0);
    }
}
