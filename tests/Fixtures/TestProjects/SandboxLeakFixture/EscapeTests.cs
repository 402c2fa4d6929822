namespace SandboxLeakFixture;

using Microsoft.VisualStudio.TestTools.UnitTesting;

/// <summary>What a test must not be able to do from its sandbox (or container).</summary>
[TestClass]
public sealed class EscapeTests
{
    [TestMethod]
    public void SeesOnlyItsOwnProcesses()
    {
        var processes = Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _)).ToList();
        var commandLines = processes.Select(p => SafeRead($"/proc/{p}/cmdline").Replace('\0', ' ')).ToList();
        Assert.IsFalse(commandLines.Any(c => c.Contains("SandboxSupervisor", StringComparison.Ordinal) || c.Contains("dockerd", StringComparison.Ordinal) || c.Contains("containerd", StringComparison.Ordinal)), "sees another's process: " + string.Join(" | ", commandLines));
        Assert.IsTrue(processes.Count <= 4, $"sees {processes.Count} processes: " + string.Join(" | ", commandLines));
    }

    [TestMethod]
    public void CannotMakeNamespaces()
    {
        foreach (var (flag, name) in new[] { (Libc.CloneNewUser, "user"), (Libc.CloneNewNs, "mount"), (Libc.CloneNewPid, "PID"), (Libc.CloneNewNet, "network") })
        {
            Assert.AreEqual(-1, Libc.unshare(flag), $"made a {name} namespace");
        }
    }

    [TestMethod]
    public void CannotMount()
    {
        Directory.CreateDirectory("/tmp/mountpoint");
        Assert.AreEqual(-1, Libc.mount("none", "/tmp/mountpoint", "tmpfs", 0, 0), "mounted a tmpfs");
    }

    [TestMethod]
    public void CannotWriteOutsideItsOwnLayer()
    {
        var sourceTree = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "EscapeTests.cs.intruder"));
        foreach (var path in new[] { "/usr/intruder", "/etc/intruder", "/intruder", sourceTree })
        {
            // Permission denied in a container, a read-only file system in a sandbox.
            var refused = Assert.Throws<Exception>(() => File.WriteAllText(path, "x"), path);
            Assert.IsTrue(refused is UnauthorizedAccessException || refused.Message.Contains("Read-only file system", StringComparison.Ordinal), $"{path}: {refused}");
            Assert.IsFalse(File.Exists(path), path);
        }
    }

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
