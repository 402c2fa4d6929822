namespace HostImageProbe;

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

/// <summary>Prints what proves the runtime works: who it runs as, ICU formatting, OpenSSL hashing.</summary>
public static class Program
{
    public static void Main()
    {
        Console.WriteLine($"uid={Environment.GetEnvironmentVariable("HOME")} user={Environment.UserName} uid={GetUid()}");
        Console.WriteLine("de-DE: " + new DateTime(2024, 3, 5).ToString("d. MMMM yyyy", new CultureInfo("de-DE")));
        Console.WriteLine("sha256: " + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("abc"))));
    }

    private static string GetUid() => File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1];
}
