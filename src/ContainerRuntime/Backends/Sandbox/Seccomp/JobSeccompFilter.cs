namespace ContainerTest.ContainerRuntime.Backends.Sandbox.Seccomp;

using System.Buffers.Binary;

/// <summary>
/// The seccomp filter bubblewrap puts on every process of a sandbox, on top of the worker's
/// profile (filters stack: a call must pass both): it refuses every call that makes a namespace
/// or a mount (<c>clone</c> with a CLONE_NEW* flag too, and <c>clone3</c>, whose flags a filter
/// cannot read, with ENOSYS so that the C library falls back to <c>clone</c>), and anything but
/// the x86_64 system call ABI. A classic BPF program (<c>struct sock_filter[]</c>, 8 bytes an
/// instruction, little-endian), as <c>seccomp(SECCOMP_SET_MODE_FILTER)</c> takes it.
/// </summary>
internal static class JobSeccompFilter
{
    private const ushort LoadWordAbsolute = 0x20;   // BPF_LD | BPF_W | BPF_ABS
    private const ushort JumpIfEqual = 0x15;        // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort JumpIfAtLeast = 0x35;      // BPF_JMP | BPF_JGE | BPF_K
    private const ushort JumpIfAnyBit = 0x45;       // BPF_JMP | BPF_JSET | BPF_K
    private const ushort Return = 0x06;             // BPF_RET | BPF_K

    private const uint Allow = 0x7fff0000;          // SECCOMP_RET_ALLOW
    private const uint ErrorPerm = 0x00050000 | 1;  // SECCOMP_RET_ERRNO | EPERM
    private const uint ErrorNoSys = 0x00050000 | 38; // SECCOMP_RET_ERRNO | ENOSYS
    private const uint ArchX8664 = 0xC000003E;      // AUDIT_ARCH_X86_64
    private const uint X32Bit = 0x40000000;         // __X32_SYSCALL_BIT

    // struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6];
    private const uint NumberOffset = 0;
    private const uint ArchOffset = 4;
    private const uint FirstArgumentOffset = 16;    // the low half of args[0] (little-endian)

    /// <summary>Every call the filter refuses, by name (for the tests and SECURITY.md).</summary>
    public static IReadOnlyList<string> Refused { get; } = [.. SeccompPolicy.Refused, .. SeccompPolicy.SandboxMaking];

    /// <summary>The program's bytes.</summary>
    public static byte[] Program { get; } = Build();

    private static byte[] Build()
    {
        var program = new List<(ushort Code, byte True, byte False, uint K)>
        {
            (LoadWordAbsolute, 0, 0, ArchOffset),
            (JumpIfEqual, 1, 0, ArchX8664),
            (Return, 0, 0, ErrorPerm),                 // i386 and any other ABI: nothing
            (LoadWordAbsolute, 0, 0, NumberOffset),
            (JumpIfAtLeast, 0, 1, X32Bit),
            (Return, 0, 0, ErrorPerm),                 // the x32 ABI: nothing
            (JumpIfEqual, 0, 1, (uint)SyscallTable.X64["clone3"]),
            (Return, 0, 0, ErrorNoSys),
        };
        foreach (var name in Refused)
        {
            program.Add((JumpIfEqual, 0, 1, (uint)SyscallTable.X64[name]));
            program.Add((Return, 0, 0, ErrorPerm));
        }

        program.Add((JumpIfEqual, 0, 3, (uint)SyscallTable.X64["clone"]));
        program.Add((LoadWordAbsolute, 0, 0, FirstArgumentOffset));
        program.Add((JumpIfAnyBit, 0, 1, SeccompPolicy.NamespaceCloneFlags));
        program.Add((Return, 0, 0, ErrorPerm));
        program.Add((Return, 0, 0, Allow));

        var bytes = new byte[program.Count * 8];
        for (var i = 0; i < program.Count; i++)
        {
            var (code, jumpTrue, jumpFalse, k) = program[i];
            var instruction = bytes.AsSpan(i * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(instruction, code);
            instruction[2] = jumpTrue;
            instruction[3] = jumpFalse;
            BinaryPrimitives.WriteUInt32LittleEndian(instruction[4..], k);
        }

        return bytes;
    }
}
