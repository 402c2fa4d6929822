namespace SandboxLeakFixture;

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

/// <summary>
/// The fixture's own Main: what a test leaves running. <c>linger PORT</c> leaves its session
/// (setsid) and starts <c>hold PORT</c> as a grandchild of the test, then exits, so the holder
/// belongs to no one; <c>hold PORT</c> listens on 127.0.0.1:PORT for two minutes.
/// </summary>
public static class Lingerer
{
    /// <summary>What the holder's command line carries, to find it in /proc.</summary>
    public const string Marker = "sandbox-leak-holder";

    public static int Main(string[] args)
    {
        switch (args)
        {
            case ["linger", var port, ..]:
                Libc.setsid();
                Start("hold", port);
                return 0;
            case ["hold", var port, ..]:
                using (var listener = new TcpListener(IPAddress.Loopback, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)))
                {
                    listener.Start();
                    Thread.Sleep(TimeSpan.FromMinutes(2));
                }

                return 0;
            default:
                return 2;
        }
    }

    /// <summary>Starts this assembly's Main with <paramref name="mode"/>, the way the test itself was started (the same runtime configuration).</summary>
    public static Process Start(string mode, string port)
    {
        var assembly = typeof(Lingerer).Assembly.Location;
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        foreach (var argument in new[] { "exec", "--runtimeconfig", Path.ChangeExtension(assembly, ".runtimeconfig.json"), assembly, mode, port, Marker })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}
