namespace ContainerTest.ContainerRuntime.Backends.Docker.HostImage;

/// <summary>
/// The few system files a .NET process expects that are not libraries: the user and group
/// databases (so that uid 1000 has a name and a home, and <c>Environment.UserName</c> works),
/// a minimal NSS configuration, and the folders every program assumes. /etc/hosts,
/// /etc/hostname and /etc/resolv.conf are Docker's to manage and are left out.
/// </summary>
internal static class HostImageSystemFiles
{
    /// <summary>The non-root user jobs run as by default.</summary>
    public const string UserName = "containertest";

    /// <summary>Its user id.</summary>
    public const int UserId = 1000;

    /// <summary>Its group id.</summary>
    public const int GroupId = 1000;

    /// <summary>Its home directory.</summary>
    public const string UserHome = "/home/containertest";

    /// <summary>The image's PATH (Docker's default for Linux containers).</summary>
    public const string SearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private const UnixFileMode ReadableByAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode OpenDirectory =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    // There is no shell in the image; the field is informational. "nobody" is there because
    // it is the conventional identity for "no particular user" (e.g. --user 65534).
    private const string Passwd =
        "root:x:0:0:root:/root:/sbin/nologin\n"
        + "containertest:x:1000:1000:ContainerTest:/home/containertest:/sbin/nologin\n"
        + "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n";

    private const string Group =
        "root:x:0:\n"
        + "containertest:x:1000:\n"
        + "nogroup:x:65534:\n";

    // Only the built-in sources ("files", "dns"): nothing else (systemd, ldap, sss) is in the image.
    private const string NsSwitch =
        "passwd: files\n"
        + "group: files\n"
        + "shadow: files\n"
        + "hosts: files dns\n"
        + "networks: files\n"
        + "protocols: files\n"
        + "services: files\n"
        + "ethers: files\n"
        + "rpc: files\n";

    /// <summary>Adds /etc/passwd, /etc/group, /etc/nsswitch.conf, /tmp, /root and the user's home.</summary>
    public static void AddTo(HostImageFileSet set)
    {
        set.AddDirectory("/etc", OpenDirectory);
        set.AddGenerated("/etc/passwd", Passwd, ReadableByAll);
        set.AddGenerated("/etc/group", Group, ReadableByAll);
        set.AddGenerated("/etc/nsswitch.conf", NsSwitch, ReadableByAll);
        set.AddDirectory("/tmp", OpenDirectory | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit);
        set.AddDirectory("/root", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        set.AddDirectory("/home", OpenDirectory);
        // Open to all like /tmp: a job's HOME is a tmpfs mounted here, and runc gives a tmpfs the mode
        // of the directory it covers (Docker 20.10 drops the mount's own mode), so a 755 home would
        // leave HOME unwritable to the job's user.
        set.AddDirectory(UserHome, OpenDirectory | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit, UserId, GroupId);
    }
}
