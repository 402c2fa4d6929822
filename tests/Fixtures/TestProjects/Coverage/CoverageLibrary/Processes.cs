namespace CoverageLibrary;

/// <summary>Code only a child process of a test runs, and code a test runs just before it ends its process.</summary>
public static class Processes
{
    public static int OnlyInAChild(int arguments)
    {
        var total = 0;
        for (var i = 0; i <= arguments; i++)
        {
            total += i;
        }

        return total;
    }

    public static int BeforeTheProcessEnds(int code)
    {
        if (code < 0)
        {
            return 0;
        }

        return code + 1;
    }
}
