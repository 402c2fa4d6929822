namespace ContainerTest.Cli;

using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using ContainerTest.MsBuildTasks.Pinning;

/// <summary>
/// <c>dotnet containertest pin [--project P]</c>: resolves the project's <c>ContainerTestImage</c>
/// again and rewrites its <c>containertest.lock.json</c> — the same code the build runs for
/// <c>-p:ContainerTestUpdateLock=true</c> (<see cref="ImagePinner"/>).
/// </summary>
internal static class PinCommand
{

    public static Command Create()
    {
        var project = new Option<string?>("--project", "-p") { Description = "The test project (file or folder); default: the project in the current folder." };
        var command = new Command("pin", "Resolve ContainerTestImage to its digest now and write containertest.lock.json beside the project (commit it).") { project };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(project), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? project, CancellationToken cancellationToken)
    {
        ProjectImage settings;
        try
        {
            settings = await ProjectImage.EvaluateAsync(project, cancellationToken).ConfigureAwait(false);
        }
        catch (PinningException ex)
        {
            await Console.Error.WriteLineAsync("dotnet containertest pin: " + ex.Message).ConfigureAwait(false);
            return 2;
        }

        if (settings.Image.Length == 0)
        {
            Console.WriteLine($"{settings.ProjectPath} sets no ContainerTestImage: its tests run in the host image, built on this machine; there is nothing to pin.");
            return 0;
        }

        if (!settings.PinEnabled)
        {
            Console.WriteLine($"{settings.ProjectPath} sets ContainerTestPin=false: its builds use {settings.Image} unpinned; writing no lock.");
            return 0;
        }

        using var http = RegistryClient.CreateHttpClient();
        try
        {
            var outcome = await ImagePinner.ForRegistries(http).PinAsync(settings.Image, settings.LockFile, PinMode.Update, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(outcome.Message);
            return 0;
        }
        catch (PinningException ex)
        {
            await Console.Error.WriteLineAsync("dotnet containertest pin: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>What MSBuild evaluates for the project: its image and where its lock file goes.</summary>
    private sealed record ProjectImage(string ProjectPath, string Image, string LockFile, bool PinEnabled)
    {
        private static readonly string[] Properties = ["MSBuildProjectFullPath", "MSBuildProjectDirectory", "ContainerTestImage", "ContainerTestLockFile", "ContainerTestPin"];

        public static async Task<ProjectImage> EvaluateAsync(string? project, CancellationToken cancellationToken)
        {
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
            var start = new ProcessStartInfo(dotnet)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                ArgumentList = { "msbuild" },
            };
            if (!string.IsNullOrWhiteSpace(project))
            {
                start.ArgumentList.Add(project);
            }

            start.ArgumentList.Add("-nologo");
            foreach (var property in Properties)
            {
                start.ArgumentList.Add("-getProperty:" + property);
            }

            using var process = new Process { StartInfo = start };
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new PinningException($"Cannot run `{dotnet} msbuild` to read the project's ContainerTestImage: {ex.Message}.", ex);
            }

            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var text = await output.ConfigureAwait(false);
            var problem = await error.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                var why = string.Join(' ', (text + problem).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                throw new PinningException($"MSBuild could not evaluate {(string.IsNullOrWhiteSpace(project) ? "a project in the current folder" : project)} ({why}). Name the test project with --project.");
            }

            try
            {
                using var document = JsonDocument.Parse(text);
                var values = document.RootElement.GetProperty("Properties");
                string Value(string name) => values.TryGetProperty(name, out var value) ? (value.GetString() ?? string.Empty).Trim() : string.Empty;
                var lockFile = Value("ContainerTestLockFile");
                return new ProjectImage(
                    Value("MSBuildProjectFullPath"),
                    Value("ContainerTestImage"),
                    lockFile.Length > 0 ? lockFile : Path.Combine(Value("MSBuildProjectDirectory"), ContainerTest.MsBuildTasks.Pinning.LockFile.FileName),
                    !string.Equals(Value("ContainerTestPin"), "false", StringComparison.OrdinalIgnoreCase));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new PinningException($"`dotnet msbuild -getProperty` answered something unexpected for {project}: {text.Trim()}", ex);
            }
        }
    }
}
