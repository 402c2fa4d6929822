namespace ContainerTest.ContainerRuntime;

/// <summary>How a pool is sized.</summary>
/// <param name="Capacity">How many jobs it will run in all; nothing is made for more.</param>
/// <param name="Parallelism">How many of them its caller runs at once.</param>
/// <param name="Depth">How many are made ready ahead of need beyond those running (0: none; a sandbox worker still readies its next job as soon as one ends).</param>
public sealed record JobPoolOptions(int Capacity, int Parallelism, int Depth);
