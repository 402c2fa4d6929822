namespace ContainerTest.ContainerRuntime.Backends.Sandbox.Seccomp;

using System.Text.Json.Nodes;

/// <summary>
/// The seccomp profile of a worker container, in the engine's JSON format: every call of the
/// kernel's table but those <see cref="SeccompPolicy.Refused"/> (so a call the table does not know
/// is refused, as under the engine's default), <c>personality</c> only with the values a
/// container may set, and <c>clone3</c> answered ENOSYS so that the C library uses <c>clone</c>,
/// whose flags can be checked. The jobs inside get <see cref="JobSeccompFilter"/> on top.
/// </summary>
internal static class WorkerSeccompProfile
{
    private const int Enosys = 38;

    /// <summary>The profile as the engine takes it (<c>seccomp=&lt;json&gt;</c>).</summary>
    public static string Json { get; } = Build();

    private static string Build()
    {
        var refused = new HashSet<string>(SeccompPolicy.Refused, StringComparer.Ordinal) { "personality", "clone3" };
        var allowed = SyscallTable.X64.Keys.Where(name => !refused.Contains(name)).Order(StringComparer.Ordinal);
        var rules = new JsonArray
        {
            new JsonObject { ["names"] = new JsonArray([.. allowed.Select(n => (JsonNode?)JsonValue.Create(n))]), ["action"] = "SCMP_ACT_ALLOW" },
            new JsonObject { ["names"] = new JsonArray("clone3"), ["action"] = "SCMP_ACT_ERRNO", ["errnoRet"] = Enosys },
        };
        foreach (var personality in SeccompPolicy.AllowedPersonalities)
        {
            rules.Add(new JsonObject
            {
                ["names"] = new JsonArray("personality"),
                ["action"] = "SCMP_ACT_ALLOW",
                ["args"] = new JsonArray(new JsonObject { ["index"] = 0, ["value"] = personality, ["op"] = "SCMP_CMP_EQ" }),
            });
        }

        return new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ERRNO",
            ["architectures"] = new JsonArray("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
            ["syscalls"] = rules,
        }.ToJsonString();
    }
}
