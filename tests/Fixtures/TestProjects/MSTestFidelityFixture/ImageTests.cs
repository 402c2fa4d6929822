namespace MSTestFidelityFixture;

using System.Diagnostics;
using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>Tests that need more than the .NET runtime: a program of the system, the .NET SDK.</summary>
[TestClass]
public sealed class ImageTests
{
    [TestMethod]
    public void StartsAShell()
    {
        using var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "exit 0"]))!;
        shell.WaitForExit();
        Assert.AreEqual(0, shell.ExitCode);
    }

    [TestMethod]
    public void UsesTheSdk()
    {
        var start = new ProcessStartInfo(Path.Combine(Path.GetDirectoryName(Environment.ProcessPath!)!, "dotnet"), ["--version"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var dotnet = Process.Start(start)!;
        var output = dotnet.StandardOutput.ReadToEnd() + dotnet.StandardError.ReadToEnd();
        dotnet.WaitForExit();
        Assert.AreEqual(0, dotnet.ExitCode, output);
    }
}
