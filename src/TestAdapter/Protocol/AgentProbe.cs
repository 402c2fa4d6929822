namespace ContainerTest.Protocol;

/// <summary>
/// The agent started only to show that the .NET runtime starts in an image (with globalization
/// initialised, which is where a missing ICU fails): it prints <see cref="Reply"/> and exits 0.
/// </summary>
public static class AgentProbe
{
    /// <summary>The agent's only argument for a probe.</summary>
    public const string Argument = "--probe";

    /// <summary>What a runtime that started prints.</summary>
    public const string Reply = "containertest-probe: ok";
}
