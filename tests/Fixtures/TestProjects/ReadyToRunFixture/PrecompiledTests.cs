namespace ReadyToRunFixture;

using System.Reflection.PortableExecutable;
using Microsoft.VisualStudio.TestTools.UnitTesting;

[TestClass]
public sealed class PrecompiledTests
{
    /// <summary>Prints whether the MSTest assembly this test runs on carries precompiled (ReadyToRun) code.</summary>
    [TestMethod]
    public void SaysWhetherItsFrameworkIsPrecompiled()
    {
        var framework = typeof(Assert).Assembly.Location;
        using var reader = new PEReader(File.OpenRead(framework));
        Console.WriteLine($"precompiled: {reader.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0} ({framework})");
    }
}
