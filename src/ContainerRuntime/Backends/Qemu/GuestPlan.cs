namespace ContainerTest.ContainerRuntime.Backends.Qemu;

using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

/// <summary>
/// What the VM's init is told to do, step by step (see nuget/native/vm/init.c, which executes
/// them): each step is a record of one operation letter and its fields, sent over the control
/// port as <c>u32 length, u8 operation, (u32 length, bytes)*</c>, little-endian.
/// </summary>
internal sealed class GuestPlan
{
    /// <summary>mount(2) flag: read-only.</summary>
    public const long ReadOnly = 1;

    /// <summary>mount(2) flag: no set-user-id.</summary>
    public const long NoSuid = 2;

    /// <summary>mount(2) flag: no device files.</summary>
    public const long NoDev = 4;

    /// <summary>mount(2) flag: change the flags of an existing mount.</summary>
    public const long Remount = 32;

    /// <summary>mount(2) flag: a bind mount.</summary>
    public const long Bind = 4096;

    /// <summary>mount(2) flag: move a mount.</summary>
    public const long Move = 8192;

    /// <summary>mount(2) flag: with its sub-mounts.</summary>
    public const long Recursive = 16384;

    private readonly System.Buffers.ArrayBufferWriter<byte> records = new();

    /// <summary>How many steps there are.</summary>
    public int Count { get; private set; }

    /// <summary>The records, ready to send.</summary>
    public ReadOnlyMemory<byte> Bytes => records.WrittenMemory.ToArray();

    /// <summary>Loads a kernel module from a file inside the VM.</summary>
    public GuestPlan LoadModule(string path) => Add('K', path);

    /// <summary>Makes a directory (and its parents) when missing, root's and 0755, leaving an existing one as it is.</summary>
    public GuestPlan EnsureDirectory(string path) => Add('D', path, string.Empty, "0", "0");

    /// <summary>Makes a directory (and its parents), then sets its mode and owner.</summary>
    public GuestPlan Directory(string path, int mode, int uid = 0, int gid = 0) => Add('D', path, Octal(mode), Number(uid), Number(gid));

    /// <summary>mount(2): the target is made first when missing.</summary>
    public GuestPlan Mount(string source, string target, string fileSystem, long flags, string data = "") => Add('M', source, target, fileSystem, Number(flags), data);

    /// <summary>Writes a file (parents made first).</summary>
    public GuestPlan File(string path, ReadOnlySpan<byte> content, int mode = 0x1A4, int uid = 0, int gid = 0) =>
        Add('F', Encoding.UTF8.GetBytes(path), Encoding.ASCII.GetBytes(Octal(mode)), Encoding.ASCII.GetBytes(Number(uid)), Encoding.ASCII.GetBytes(Number(gid)), content.ToArray());

    /// <summary>Writes into an existing kernel file (a cgroup's limit), leaving its mode and owner.</summary>
    public GuestPlan KernelFile(string path, string content) => Add('F', path, string.Empty, "0", "0", content);

    /// <summary>A symbolic link.</summary>
    public GuestPlan Symlink(string target, string path) => Add('L', target, path);

    /// <summary>A hard link.</summary>
    public GuestPlan HardLink(string existing, string path) => Add('A', existing, path);

    /// <summary>Makes <paramref name="newRoot"/> the root (move it onto / and chroot, as switch_root does).</summary>
    public GuestPlan SwitchRoot(string newRoot) => Add('R', newRoot);

    /// <summary>The host name.</summary>
    public GuestPlan HostName(string name) => Add('N', name);

    /// <summary>Sets the clock.</summary>
    public GuestPlan Clock(DateTimeOffset now)
    {
        var ticks = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return Add('T', Number(ticks / TimeSpan.TicksPerSecond), Number(ticks % TimeSpan.TicksPerSecond * 100));
    }

    /// <summary>Adds bytes to the kernel's entropy pool and reseeds its generator at once.</summary>
    public GuestPlan Seed(ReadOnlySpan<byte> bytes) => Add('S', bytes.ToArray());

    /// <summary>Brings a network interface up (address, netmask and gateway may be empty).</summary>
    public GuestPlan Interface(string name, string address = "", string netmask = "", string gateway = "") => Add('I', name, address, netmask, gateway);

    /// <summary>An environment variable of the command.</summary>
    public GuestPlan Environment(string name, string value) => Add('E', name + "=" + value);

    /// <summary>The command's working directory.</summary>
    public GuestPlan WorkingDirectory(string path) => Add('W', path);

    /// <summary>The command's user and group (supplementary groups are dropped).</summary>
    public GuestPlan User(int uid, int gid) => Add('U', Number(uid), Number(gid));

    /// <summary>Hardening of the command: no_new_privs, and every capability dropped.</summary>
    public GuestPlan Hardening(bool noNewPrivileges, bool dropCapabilities) => Add('P', Number((noNewPrivileges ? 1 : 0) | (dropCapabilities ? 2 : 0)));

    /// <summary>The cgroup (a folder of the cgroup2 file system) the command runs in.</summary>
    public GuestPlan ControlGroup(string path) => Add('G', path);

    /// <summary>The command's stdout and stderr go to the output ports; its stdin is the input port when <paramref name="stdin"/>, else /dev/null.</summary>
    public GuestPlan OutputPorts(bool stdin) => stdin ? Add('O', "ports", "stdin") : Add('O', "ports");

    /// <summary>The command's stdin, stdout and stderr are the terminal <paramref name="device"/> (its controlling terminal).</summary>
    public GuestPlan Terminal(string device) => Add('O', "tty", device);

    /// <summary>Starts the command (answered by <c>started &lt;pid&gt;</c> or <c>failed-start &lt;why&gt;</c>).</summary>
    public GuestPlan Start(IEnumerable<string> argv) => Add('X', [.. argv.Select(Encoding.UTF8.GetBytes)]);

    /// <summary>Answers <c>waiting</c> once the command waits for its input and has been idle <paramref name="quiet"/> (or <c>waiting-failed</c>).</summary>
    public GuestPlan WaitForInput(TimeSpan timeout, TimeSpan quiet) => Add('Q', Number((long)timeout.TotalMilliseconds), Number((long)quiet.TotalMilliseconds));

    /// <summary>The terminal's window size.</summary>
    public GuestPlan WindowSize(int rows, int columns) => Add('Z', Number(rows), Number(columns));

    /// <summary>Answers <c>ack &lt;token&gt;</c> once every step before it is done.</summary>
    public GuestPlan Acknowledge(string token) => Add('Y', token);

    /// <summary>Appends another plan's steps.</summary>
    public GuestPlan Append(GuestPlan other)
    {
        records.Write(other.Bytes.Span);
        Count += other.Count;
        return this;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Octal(int mode) => "0" + Convert.ToString(mode, 8);

    private GuestPlan Add(char operation, params string[] fields) => Add(operation, [.. fields.Select(Encoding.UTF8.GetBytes)]);

    private GuestPlan Add(char operation, params byte[][] fields)
    {
        var length = 1 + fields.Sum(f => 4 + f.Length);
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(number, (uint)length);
        records.Write(number);
        records.Write([(byte)operation]);
        foreach (var field in fields)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(number, (uint)field.Length);
            records.Write(number);
            records.Write(field);
        }

        Count++;
        return this;
    }
}
