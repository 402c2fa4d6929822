namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Diagnostics;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>A program of the host the backend runs to its end (mke2fs, debugfs), found on PATH or in the sbin folders.</summary>
internal static class HostTool
{
    /// <summary>The program's path.</summary>
    /// <exception cref="BackendUnavailableException">It is not installed.</exception>
    public static string Find(string name, string package)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new BackendUnavailableException($"The qemu backend needs {name} to make the VMs' disk images, and it is not installed. Install {package} (Debian/Ubuntu: sudo apt-get install {package}).", RetryClass.NotRetryable);
    }

    /// <summary>Runs the program with <paramref name="arguments"/>; returns its stdout.</summary>
    /// <exception cref="ContainerRuntimeException">It failed; the message holds what it said.</exception>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string what, CancellationToken cancellationToken, string? standardInput = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new ContainerRuntimeException($"{program} could not be started.", RetryClass.Unknown);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var stdout = await output.ConfigureAwait(false);
        var stderr = await error.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new ContainerRuntimeException($"{what} failed: {Path.GetFileName(program)} exited with {process.ExitCode}: {stderr.Trim()} {stdout.Trim()}".TrimEnd(), RetryClass.Unknown);
        }

        return stdout;
    }
}
