namespace ContainerTest.ContainerRuntime.Backends.Sandbox.Wire;

using System.Text.Json.Nodes;

/// <summary>
/// What every sandbox of one worker is made of: the job template, as the supervisor inside the
/// worker needs it to make a fresh sandbox per job. The worker's own file system (its image, the
/// template's read-only layers, and the copy-on-write directories as read-only lower layers) is
/// what each sandbox sees, read-only except where this spec says otherwise. Shared, as source,
/// by the host (which writes it) and the supervisor (which reads it).
/// </summary>
internal sealed record SandboxSpec
{
    /// <summary>The argv each sandbox runs (the template's command).</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Absolute working directory; "/" when the template keeps the image's.</summary>
    public string WorkingDirectory { get; init; } = "/";

    /// <summary>The uid the job runs as, the worker's own uid as well (the sandbox maps it to itself); null: the worker's.</summary>
    public int? Uid { get; init; }

    /// <summary>The gid the job runs as; null: the worker's.</summary>
    public int? Gid { get; init; }

    /// <summary>Fresh tmpfs mounts per sandbox: path, size in bytes, mode bits.</summary>
    public IReadOnlyList<SandboxTmpfs> Tmpfs { get; init; } = [];

    /// <summary>Directories each sandbox sees as a private copy-on-write overlay of the worker's (read-only) folders.</summary>
    public IReadOnlyList<SandboxOverlay> CopyOnWrite { get; init; } = [];

    /// <summary>
    /// Read-only directories of the worker that lie under one of the <see cref="Tmpfs"/> paths (the
    /// template's read-only layers there: a source tree or a read-only path under /tmp), which each
    /// sandbox sees again, read-only, on top of its fresh tmpfs.
    /// </summary>
    public IReadOnlyList<string> ReadOnly { get; init; } = [];

    /// <summary>True: the sandbox uses the worker's network (open, allow-list); false: a fresh namespace with loopback only.</summary>
    public bool ShareNetwork { get; init; }

    /// <summary>How many processes and threads a sandbox may hold at once (RLIMIT_NPROC, counted per sandbox); null for no limit.</summary>
    public long? ProcessLimit { get; init; }

    /// <summary>
    /// The seccomp filter (classic BPF, <c>struct sock_filter[]</c> in the machine's byte order) put
    /// on every process of a sandbox, on top of the worker's own profile; empty for none.
    /// </summary>
    public ReadOnlyMemory<byte> SeccompFilter { get; init; }

    /// <summary>Interactive: the sandbox keeps the worker's terminal as its controlling terminal (no new session).</summary>
    public bool Interactive { get; init; }

    /// <summary>The spec as JSON.</summary>
    public JsonObject ToJson() => new()
    {
        ["command"] = new JsonArray([.. Command.Select(a => (JsonNode?)JsonValue.Create(a))]),
        ["workingDirectory"] = WorkingDirectory,
        ["uid"] = Uid,
        ["gid"] = Gid,
        ["tmpfs"] = new JsonArray([.. Tmpfs.Select(t => (JsonNode?)new JsonObject { ["path"] = t.Path, ["size"] = t.SizeBytes, ["mode"] = t.Mode })]),
        ["copyOnWrite"] = new JsonArray([.. CopyOnWrite.Select(o => (JsonNode?)new JsonObject { ["path"] = o.Path, ["lowers"] = new JsonArray([.. o.Lowers.Select(l => (JsonNode?)JsonValue.Create(l))]) })]),
        ["readOnly"] = new JsonArray([.. ReadOnly.Select(p => (JsonNode?)JsonValue.Create(p))]),
        ["shareNetwork"] = ShareNetwork,
        ["processLimit"] = ProcessLimit,
        ["seccomp"] = Convert.ToBase64String(SeccompFilter.Span),
        ["interactive"] = Interactive,
    };

    /// <summary>Reads a spec written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">Something the spec needs is missing or malformed.</exception>
    public static SandboxSpec FromJson(JsonObject json) => new()
    {
        Command = (json["command"] as JsonArray ?? throw new InvalidDataException("The sandbox spec has no command.")).Select(n => n!.GetValue<string>()).ToList(),
        WorkingDirectory = json["workingDirectory"]?.GetValue<string>() ?? "/",
        Uid = json["uid"]?.GetValue<int?>(),
        Gid = json["gid"]?.GetValue<int?>(),
        Tmpfs = (json["tmpfs"] as JsonArray ?? []).Select(n => new SandboxTmpfs(n!["path"]!.GetValue<string>(), n["size"]!.GetValue<long>(), n["mode"]!.GetValue<int>())).ToList(),
        CopyOnWrite = (json["copyOnWrite"] as JsonArray ?? []).Select(n => new SandboxOverlay(n!["path"]!.GetValue<string>(), (n["lowers"] as JsonArray ?? []).Select(l => l!.GetValue<string>()).ToList())).ToList(),
        ReadOnly = (json["readOnly"] as JsonArray ?? []).Select(n => n!.GetValue<string>()).ToList(),
        ShareNetwork = json["shareNetwork"]?.GetValue<bool>() ?? false,
        ProcessLimit = json["processLimit"]?.GetValue<long?>(),
        SeccompFilter = Convert.FromBase64String(json["seccomp"]?.GetValue<string>() ?? string.Empty),
        Interactive = json["interactive"]?.GetValue<bool>() ?? false,
    };
}
