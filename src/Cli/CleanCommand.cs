namespace ContainerTest.Cli;

using System.CommandLine;
using ContainerTest.ContainerRuntime;
using ContainerTest.ContainerRuntime.Composition;
using ContainerTest.ContainerRuntime.Errors;

/// <summary>
/// <c>dotnet containertest clean</c>: removes the containers, networks and images ContainerTest
/// left behind (everything carrying its labels), except what a test run still in progress on
/// this machine is using.
/// </summary>
internal static class CleanCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be removed; remove nothing." };
        var keepImages = new Option<bool>("--keep-images") { Description = "Remove containers and networks only (the host image takes a few seconds to rebuild)." };
        var command = new Command("clean", "Remove every container, network and image ContainerTest left behind.") { dryRun, keepImages };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(dryRun), parse.GetValue(keepImages), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(bool dryRun, bool keepImages, CancellationToken cancellationToken)
    {
        try
        {
            await using var runtime = await JobRuntime.ConnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var found = await runtime.FindLeftoversAsync(cancellationToken).ConfigureAwait(false);
            var candidates = found.Where(i => !keepImages || i.Kind != LeftoverKind.Image).ToList();
            if (candidates.Count == 0)
            {
                Console.WriteLine("Nothing to clean: no container, network, image or Swarm service or secret of ContainerTest is left.");
                return 0;
            }

            foreach (var item in candidates)
            {
                var verdict = item.OwnerAlive ? "in use by a run in progress, kept" : dryRun ? "would be removed" : "removing";
                Console.WriteLine($"{item.Kind.ToString().ToLowerInvariant(),-9} {item.Id[..Math.Min(12, item.Id.Length)]}  {item.Name}  ({item.Details})  {verdict}");
            }

            if (dryRun)
            {
                return 0;
            }

            var removed = await runtime.RemoveLeftoversAsync(candidates, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Removed {removed.Count} of {candidates.Count(i => !i.OwnerAlive)}.");
            return removed.Count == candidates.Count(i => !i.OwnerAlive) ? 0 : 1;
        }
        catch (ContainerRuntimeException ex)
        {
            await Console.Error.WriteLineAsync("dotnet containertest: " + ex.Message).ConfigureAwait(false);
            return 2;
        }
    }
}
