namespace ContainerTest.TestAdapter.RuntimeLayer;

using ContainerTest.ContainerRuntime;
using ContainerTest.ContainerRuntime.Jobs;
using ContainerTest.Protocol;
using ContainerTest.TestAdapter.Execution;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;
using NuGet.Versioning;

/// <summary>
/// Decides, once per test assembly and run, where its containers get .NET: the configured image's
/// own runtime when it starts there; otherwise the runtime packs the assembly needs, fetched with
/// NuGet and mounted as a layer — with invariant globalization when the image lacks ICU.
/// </summary>
internal sealed class RuntimeProvisioner(IJobBackend backend, string runId, TestJobBuilder jobs, string image, IMessageLogger log)
{
    private const string IcuMissing = "Couldn't find a valid ICU package";

    /// <summary>The provision that works, or a <see cref="RuntimeLayerException"/> saying why none does.</summary>
    public async Task<RuntimeProvision> ProvideAsync(string source, CancellationToken cancellationToken)
    {
        var own = await ProbeAsync(source, RuntimeProvision.Image, cancellationToken).ConfigureAwait(false);
        if (Started(own) || !RuntimeRequirement.IsMissingIn(own.FailureCause, own.Stderr.Text))
        {
            // Started, or failed for a reason the runtime layer would not cure: the tests report it.
            return RuntimeProvision.Image;
        }

        var layered = new RuntimeProvision(await AssembleAsync(source, cancellationToken).ConfigureAwait(false), InvariantGlobalization: false);
        var probe = await ProbeAsync(source, layered, cancellationToken).ConfigureAwait(false);
        if (!Started(probe) && probe.Stderr.Text.Contains(IcuMissing, StringComparison.Ordinal))
        {
            layered = layered with { InvariantGlobalization = true };
            probe = await ProbeAsync(source, layered, cancellationToken).ConfigureAwait(false);
            if (Started(probe))
            {
                log.SendMessage(TestMessageLevel.Warning, $"ContainerTest: the image '{image}' has no ICU library (libicu), so its tests run with invariant globalization (DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1): culture-specific formatting and comparison behave as for the invariant culture. Install libicu in the image for culture-aware behaviour.");
            }
        }

        if (!Started(probe))
        {
            var detail = FirstLines(probe.FailureCause ?? probe.Stderr.Text + probe.Stdout.Text);
            throw new RuntimeLayerException($"the .NET runtime layer could not start in it either ({detail}). The runtime layer needs a glibc-based linux-{System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()} image with libstdc++ (Debian, Ubuntu, RHEL…); for other images, use one that has the .NET runtime.");
        }

        return layered;
    }

    private async Task<string> AssembleAsync(string source, CancellationToken cancellationToken)
    {
        var rid = DotnetRootAssembler.RuntimeIdentifier();
        var muxer = DotnetHostLocator.Locate();
        var locator = new RuntimePackLocator(Path.GetDirectoryName(source)!);
        var frameworks = RuntimeRequirement.Frameworks(source);
        if (frameworks.Count == 0)
        {
            throw new RuntimeLayerException($"{Path.GetFileName(source)} names no shared framework in its runtimeconfig.json, so no runtime pack can be chosen for it.");
        }

        var packs = new List<(string Framework, RuntimePack Pack)>();
        foreach (var (name, version) in frameworks)
        {
            if (name is not ("Microsoft.NETCore.App" or "Microsoft.AspNetCore.App") || !NuGetVersion.TryParse(version, out var minimum))
            {
                throw new RuntimeLayerException($"{Path.GetFileName(source)} needs the shared framework {name} {version}, which has no Linux runtime pack to add as a layer.");
            }

            var pack = await locator.LocateAsync($"{name}.Runtime.{rid}", minimum, cancellationToken).ConfigureAwait(false);
            log.SendMessage(
                TestMessageLevel.Informational,
                $"ContainerTest: the image '{image}' has no {name} {version}; adding {pack.PackageId} {pack.Version} as a layer at {RuntimeProvision.ContainerRoot} ({(pack.Downloaded ? "downloaded from " + pack.Source + " into " : "from ")}{locator.GlobalPackagesFolder}).");
            packs.Add((name, pack));
        }

        return DotnetRootAssembler.Assemble(rid, muxer, packs);
    }

    private Task<JobResult> ProbeAsync(string source, RuntimeProvision provision, CancellationToken cancellationToken) =>
        backend.RunAsync(jobs.BuildProbe(source, runId, provision), observer: null, cancellationToken);

    private static bool Started(JobResult probe) => probe.Succeeded && probe.Stdout.Text.Contains(AgentProbe.Reply, StringComparison.Ordinal);

    private static string FirstLines(string text) =>
        string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(3)) is { Length: > 0 } lines ? lines : "no output";
}
