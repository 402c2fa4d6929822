namespace ContainerTest.ContainerRuntime.Tests.Fixtures;

using System.Runtime.InteropServices;

/// <summary>
/// An htpasswd line (<c>user:$2b$…</c>) for docker-registry's Basic auth, which accepts bcrypt
/// only; hashed by the system's libcrypt (libxcrypt), so the test needs no apache2-utils.
/// </summary>
internal static partial class Htpasswd
{
    private const string LibCrypt = "libcrypt.so.1";

    public static string Line(string userName, string password)
    {
        var salt = Marshal.PtrToStringUTF8(CryptGensalt("$2b$", 5, IntPtr.Zero, 0))
            ?? throw new InvalidOperationException("libcrypt made no bcrypt salt.");
        var hash = Marshal.PtrToStringUTF8(Crypt(password, salt));
        return hash is { Length: > 0 } && hash.StartsWith("$2b$", StringComparison.Ordinal)
            ? $"{userName}:{hash}"
            : throw new InvalidOperationException("libcrypt does not hash bcrypt here.");
    }

    [LibraryImport(LibCrypt, EntryPoint = "crypt_gensalt", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr CryptGensalt(string prefix, ulong count, IntPtr randomBytes, int randomByteCount);

    [LibraryImport(LibCrypt, EntryPoint = "crypt", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr Crypt(string key, string salt);
}
