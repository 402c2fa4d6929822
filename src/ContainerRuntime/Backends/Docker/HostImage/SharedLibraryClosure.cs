namespace ContainerTest.ContainerRuntime.Backends.Docker.HostImage;

using System.ComponentModel;
using System.Diagnostics;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// The shared libraries a set of ELF files needs, transitively, as the host's dynamic loader
/// resolves them — found with <c>ldd</c>.
/// </summary>
/// <remarks>
/// Why <c>ldd</c> rather than reading DT_NEEDED ourselves: the names are the easy part; resolving
/// them is not. <c>ldd</c> runs the host's own loader, so it honours everything that loader does
/// — <c>/etc/ld.so.cache</c> and <c>ld.so.conf.d</c>, RPATH/RUNPATH with <c>$ORIGIN</c>,
/// glibc-hwcaps subfolders, multiarch folders, musl's path file — which a hand-written resolver
/// would have to re-implement and would get subtly wrong on some distribution. It also gives the
/// full transitive closure and the program interpreter in one answer. The cost is one short
/// process per file (about 100 ms in all, once per test run), and the known caveat of
/// <c>ldd</c> — it may execute the file's interpreter — does not apply: it only ever sees the
/// host's own .NET runtime and system libraries, never a user's binary. Each file gets its own
/// <c>ldd</c>, because musl's <c>ldd</c> reads only its first argument.
/// </remarks>
internal static class SharedLibraryClosure
{
    /// <summary>Runs <c>ldd</c> on each file (a few at a time) — or takes its answer from this machine's <see cref="LddAnswers"/> — and merges the answers.</summary>
    public static Task<LibraryClosure> ResolveAsync(IEnumerable<string> elfFiles, CancellationToken cancellationToken) =>
        ResolveAsync(elfFiles, LddAnswers.Shared, cancellationToken);

    /// <summary>As <see cref="ResolveAsync(IEnumerable{string}, CancellationToken)"/>, with the answers kept in <paramref name="answers"/>.</summary>
    public static async Task<LibraryClosure> ResolveAsync(IEnumerable<string> elfFiles, LddAnswers answers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var files = elfFiles.Distinct(StringComparer.Ordinal).ToList();
        var outputs = new string[files.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, files.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(Environment.ProcessorCount, 1, 4), CancellationToken = cancellationToken },
            async (index, token) => outputs[index] = await answers.GetAsync(files[index], () => RunLddAsync(files[index], token)).ConfigureAwait(false)).ConfigureAwait(false);
        answers.Save();

        var result = new LibraryClosure();
        for (var index = 0; index < files.Count; index++)
        {
            Parse(files[index], outputs[index], result);
        }

        return result;
    }

    /// <summary>Adds what one <c>ldd</c> answer names to <paramref name="into"/>. Public for tests: the formats differ between glibc and musl.</summary>
    public static void Parse(string file, string lddOutput, LibraryClosure into)
    {
        foreach (var rawLine in lddOutput.Split('\n'))
        {
            // Dependency lines are indented; a line that is not is a "file:" header or a message
            // such as "not a dynamic executable" / "statically linked".
            if (rawLine.Length == 0 || !char.IsWhiteSpace(rawLine[0]))
            {
                continue;
            }

            var line = StripAddress(rawLine.Trim());
            var arrow = line.IndexOf("=>", StringComparison.Ordinal);
            if (arrow < 0)
            {
                // "/lib64/ld-linux-x86-64.so.2" — the interpreter; "linux-vdso.so.1" — in the kernel, not a file.
                if (line.StartsWith('/'))
                {
                    into.Interpreters.Add(line);
                    into.Libraries.Add(line);
                }

                continue;
            }

            var name = line[..arrow].Trim();
            var path = line[(arrow + 2)..].Trim();
            if (string.Equals(path, "not found", StringComparison.Ordinal))
            {
                into.Missing.Add((file, name));
            }
            else if (path.StartsWith('/'))
            {
                into.Libraries.Add(path);
            }
        }
    }

    private static string StripAddress(string line)
    {
        var address = line.LastIndexOf(" (0x", StringComparison.Ordinal);
        return address >= 0 && line.EndsWith(')') ? line[..address].TrimEnd() : line;
    }

    private static async Task<string> RunLddAsync(string file, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("ldd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(file);
        start.Environment["LC_ALL"] = "C";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("Process.Start returned no process.");
        }
        catch (Win32Exception ex)
        {
            throw new ContainerRuntimeException(
                $"Cannot run 'ldd' to find the shared libraries of the host's .NET runtime: {ex.Message}. "
                + "Install it (Debian/Ubuntu: libc-bin; Fedora: glibc-common; Alpine: musl-utils), or set ContainerTestImage to an image with .NET.",
                RetryClass.NotRetryable,
                ex);
        }

        using (process)
        {
            try
            {
                var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
                var errors = process.StandardError.ReadToEndAsync(cancellationToken);
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                var text = await output.ConfigureAwait(false);
                await errors.ConfigureAwait(false);

                // Exit code 1 with "not a dynamic executable" is a fine answer: nothing to add.
                return text;
            }
            catch (OperationCanceledException)
            {
                TryKill(process);
                throw;
            }
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (Win32Exception)
        {
            // Already gone, or not ours to kill.
        }
    }
}

/// <summary>What <see cref="SharedLibraryClosure"/> found: paths exactly as the loader resolved them.</summary>
internal sealed class LibraryClosure
{
    /// <summary>Every library path, the interpreters included.</summary>
    public SortedSet<string> Libraries { get; } = new(StringComparer.Ordinal);

    /// <summary>The program interpreters (dynamic loaders), e.g. <c>/lib64/ld-linux-x86-64.so.2</c>.</summary>
    public SortedSet<string> Interpreters { get; } = new(StringComparer.Ordinal);

    /// <summary>Names the loader could not find, with the file that asked for them.</summary>
    public List<(string File, string Name)> Missing { get; } = [];
}
