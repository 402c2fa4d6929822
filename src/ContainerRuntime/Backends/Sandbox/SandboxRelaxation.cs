namespace ContainerTest.ContainerRuntime.Backends.Sandbox;

/// <summary>
/// Tells whether an engine's refusal to start a worker container is about what only a worker
/// asks for — its seccomp profile, unmasked kernel paths, an init process, an AppArmor profile —
/// in which case no sandbox can be had on this engine, rather than about what the job itself asks.
/// </summary>
internal static class SandboxRelaxation
{
    private static readonly string[] Words = ["seccomp", "apparmor", "systempaths", "masked", "readonlypaths", "docker-init", "init binary", "unconfined"];

    /// <summary>True when <paramref name="refusal"/> names one of the worker's relaxations.</summary>
    public static bool Matches(string? refusal) =>
        refusal is not null && Words.Any(word => refusal.Contains(word, StringComparison.OrdinalIgnoreCase));
}
