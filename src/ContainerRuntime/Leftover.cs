namespace ContainerTest.ContainerRuntime;

/// <summary>One resource ContainerTest left behind.</summary>
/// <param name="Kind">Container, network or image.</param>
/// <param name="Id">The engine's id.</param>
/// <param name="Name">Its name or tags.</param>
/// <param name="Details">State and labels, for people.</param>
/// <param name="OwnerAlive">True when the process that created it still runs on this machine (a test run in progress): it is not removed.</param>
public sealed record Leftover(LeftoverKind Kind, string Id, string Name, string Details, bool OwnerAlive);
