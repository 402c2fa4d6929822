/*
 * containertest-vminit: PID 1 of every ContainerTest virtual machine (the qemu backend).
 *
 * It knows nothing of tests, images or layers. It loads the kernel modules listed in the
 * initramfs, finds the control port (a virtio-serial port named "ct.ctl") and then does exactly
 * what the host tells it, one record at a time: mount, make a directory, write a file, set the
 * clock, seed the random number generator, start the job's command... The host (the runtime's
 * Backends/Qemu, C#) works out the whole plan; keeping the logic there keeps this program small
 * and the same for every job.
 *
 * Host -> init, on the control port: records of
 *     u32 length (little-endian, of what follows), u8 operation, then fields: u32 length + bytes.
 * Init -> host, on the control port: one line of text per event (see report()).
 * Diagnostics before the control port exists go to the console (the first serial port), which
 * the host keeps as the VM's log.
 *
 * The job's stdout and stderr come through pipes that this program copies to the ports "ct.out"
 * and "ct.err", counting the bytes: the exit event carries the counts, so the host knows when it
 * has read everything before it stops the VM. Its stdin is the port "ct.in" itself, or a terminal
 * (a serial port) for an interactive job.
 *
 * Built statically by nuget/native/build.sh; carried in the ContainerTest package.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/random.h>
#include <linux/reboot.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_FIELDS 4096
#define MAX_ENV 4096

static int ctl = -1;            /* the control port */
static int in_port = -1;        /* the job's stdin, when the host gives one */
static int out_port = -1, err_port = -1;
static int tty = -1;            /* the job's terminal, for an interactive job */
static char *job_env[MAX_ENV + 1];
static int job_env_count;
static char *job_cwd;
static long job_uid = -1, job_gid = -1;
static int job_flags;           /* 1: no_new_privs, 2: drop every capability */
static char *job_cgroup;
static pid_t job_pid = -1;
static int out_pipe = -1, err_pipe = -1;
static unsigned long long out_bytes, err_bytes;

static void console(const char *format, ...)
{
    char line[1024];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line - 1, format, args);
    va_end(args);
    if (n < 0)
        return;
    if (n > (int)sizeof line - 2)
        n = sizeof line - 2;
    line[n++] = '\n';
    int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0) {
        (void)!write(fd, "containertest-vminit: ", 22);
        (void)!write(fd, line, n);
        close(fd);
    }
}

static void write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        data += n;
        length -= n;
    }
}

/* One event line to the host. */
static void report(const char *format, ...)
{
    char line[4096];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line - 1, format, args);
    va_end(args);
    if (n < 0)
        return;
    if (n > (int)sizeof line - 2)
        n = sizeof line - 2;
    for (int i = 0; i < n; i++)
        if (line[i] == '\n')
            line[i] = ' ';
    line[n++] = '\n';
    if (ctl >= 0)
        write_all(ctl, line, n);
    else
        console("%.*s", n - 1, line);
}

static void power_off(void)
{
    sync();
    reboot(LINUX_REBOOT_CMD_POWER_OFF);
    for (;;)
        pause();
}

static void fatal(const char *format, ...)
{
    char line[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    console("%s", line);
    report("fatal %s", line);
    power_off();
}

static double uptime(void)
{
    struct timespec now;
    clock_gettime(CLOCK_BOOTTIME, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

static int mkdirs(const char *path, mode_t mode)
{
    char buffer[PATH_MAX];
    if (strlen(path) >= sizeof buffer) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(buffer, path);
    for (char *p = buffer + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(buffer, 0755) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(buffer, mode) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int parent_dirs(const char *path)
{
    char buffer[PATH_MAX];
    if (strlen(path) >= sizeof buffer)
        return -1;
    strcpy(buffer, path);
    char *slash = strrchr(buffer, '/');
    if (slash == NULL || slash == buffer)
        return 0;
    *slash = 0;
    return mkdirs(buffer, 0755);
}

/* "serial:NAME" names the virtio disk the host gave that serial number: /dev/vdX. */
static const char *disk(const char *source)
{
    static char device[300];
    if (strncmp(source, "serial:", 7) != 0)
        return source;
    DIR *blocks = opendir("/sys/block");
    if (blocks == NULL)
        return source;
    struct dirent *entry;
    const char *found = source;
    while ((entry = readdir(blocks)) != NULL) {
        char path[320], value[64] = {0};
        snprintf(path, sizeof path, "/sys/block/%s/serial", entry->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, value, sizeof value - 1);
        close(fd);
        if (n <= 0)
            continue;
        value[strcspn(value, "\n")] = 0;
        if (strcmp(value, source + 7) == 0) {
            snprintf(device, sizeof device, "/dev/%s", entry->d_name);
            found = device;
            break;
        }
    }
    closedir(blocks);
    return found;
}

/* finit_module's flags for a module file: compressed ones are decompressed by the kernel. */
static int module_flags(const char *path)
{
    size_t n = strlen(path);
    if ((n > 3 && strcmp(path + n - 3, ".xz") == 0) || (n > 4 && strcmp(path + n - 4, ".zst") == 0) || (n > 3 && strcmp(path + n - 3, ".gz") == 0))
        return 4; /* MODULE_INIT_COMPRESSED_FILE */
    return 0;
}

/* Loads the modules named one a line in /lib/modules/boot (dependencies first). */
static void load_boot_modules(void)
{
    FILE *list = fopen("/lib/modules/boot", "re");
    if (list == NULL)
        return;
    char name[256];
    while (fgets(name, sizeof name, list)) {
        name[strcspn(name, "\n")] = 0;
        if (name[0] == 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "/lib/modules/%s", name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            console("missing-module %s: %s", name, strerror(errno));
            continue;
        }
        if (syscall(SYS_finit_module, fd, "", module_flags(name)) < 0 && errno != EEXIST)
            console("module-failed %s: %s", name, strerror(errno));
        close(fd);
    }
    fclose(list);
}

/* The /dev node of the virtio-serial port called name, or NULL while there is none. */
static char *find_port(const char *name)
{
    static char device[300];
    DIR *ports = opendir("/sys/class/virtio-ports");
    if (ports == NULL)
        return NULL;
    struct dirent *entry;
    char *found = NULL;
    while ((entry = readdir(ports)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char path[512], value[128] = {0};
        snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", entry->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, value, sizeof value - 1);
        close(fd);
        if (n <= 0)
            continue;
        value[strcspn(value, "\n")] = 0;
        if (strcmp(value, name) == 0) {
            snprintf(device, sizeof device, "/dev/%s", entry->d_name);
            found = device;
            break;
        }
    }
    closedir(ports);
    return found;
}

/* Opens the port called name, waiting up to timeout_ms for the host to announce it. */
static int open_port(const char *name, int flags, int timeout_ms)
{
    for (int waited = 0;; waited += 10) {
        char *device = find_port(name);
        if (device != NULL) {
            int fd = open(device, flags | O_CLOEXEC | O_NOCTTY);
            if (fd >= 0)
                return fd;
            if (errno != ENOENT && errno != ENXIO)
                return -1;
        }
        if (waited >= timeout_ms) {
            errno = ETIMEDOUT;
            return -1;
        }
        usleep(10000);
    }
}

static int read_exact(int fd, void *buffer, size_t length)
{
    char *p = buffer;
    while (length > 0) {
        ssize_t n = read(fd, p, length);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        length -= n;
    }
    return 1;
}

static uint32_t le32(const unsigned char *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

struct record {
    char op;
    int count;
    char *field[MAX_FIELDS];
    uint32_t length[MAX_FIELDS];
    unsigned char *data;
};

/* Reads one record; fields are NUL-terminated in place. 0 at end of input. */
static int read_record(struct record *record)
{
    unsigned char header[4];
    int r = read_exact(ctl, header, 4);
    if (r <= 0)
        return r;
    uint32_t length = le32(header);
    if (length == 0 || length > (256u << 20))
        fatal("control record of %u bytes", length);
    free(record->data);
    /* Room for a NUL after every field: fields are at most length/4 + 1. */
    record->data = malloc(length + length / 4 + 2);
    if (record->data == NULL)
        fatal("out of memory for a control record of %u bytes", length);
    unsigned char *raw = record->data + length / 4 + 2;
    if (read_exact(ctl, raw, length) <= 0)
        fatal("control record cut short");
    record->op = raw[0];
    record->count = 0;
    unsigned char *out = record->data;
    size_t at = 1;
    while (at < length) {
        if (length - at < 4 || record->count == MAX_FIELDS)
            fatal("malformed control record '%c'", record->op);
        uint32_t size = le32(raw + at);
        at += 4;
        if (size > length - at)
            fatal("malformed control record '%c'", record->op);
        memmove(out, raw + at, size);
        record->field[record->count] = (char *)out;
        record->length[record->count] = size;
        record->count++;
        out[size] = 0;
        out += size + 1;
        at += size;
    }
    return 1;
}

static long number(const char *text)
{
    return strtol(text, NULL, 0);
}

static int need(struct record *r, int count)
{
    if (r->count < count) {
        report("error record '%c' has %d field(s), needs %d", r->op, r->count, count);
        return 0;
    }
    return 1;
}

static void seed(const unsigned char *bytes, uint32_t length)
{
    int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        report("error seed: /dev/urandom: %s", strerror(errno));
        return;
    }
    struct {
        int entropy_count;
        int buf_size;
        unsigned char buf[512];
    } info;
    if (length > sizeof info.buf)
        length = sizeof info.buf;
    info.entropy_count = length * 8;
    info.buf_size = length;
    memcpy(info.buf, bytes, length);
    if (ioctl(fd, RNDADDENTROPY, &info) < 0)
        report("error seed: RNDADDENTROPY: %s", strerror(errno));
    if (ioctl(fd, RNDRESEEDCRNG) < 0)
        report("error seed: RNDRESEEDCRNG: %s", strerror(errno));
    close(fd);
}

static int interface_up(const char *name, const char *address, const char *netmask, const char *gateway)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    struct sockaddr_in *in = (struct sockaddr_in *)&request.ifr_addr;
    if (address[0]) {
        in->sin_family = AF_INET;
        inet_pton(AF_INET, address, &in->sin_addr);
        if (ioctl(s, SIOCSIFADDR, &request) < 0)
            goto fail;
        in->sin_family = AF_INET;
        inet_pton(AF_INET, netmask, &in->sin_addr);
        if (ioctl(s, SIOCSIFNETMASK, &request) < 0)
            goto fail;
    }
    if (ioctl(s, SIOCGIFFLAGS, &request) < 0)
        goto fail;
    request.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &request) < 0)
        goto fail;
    if (gateway[0]) {
        struct rtentry route;
        memset(&route, 0, sizeof route);
        struct sockaddr_in *gw = (struct sockaddr_in *)&route.rt_gateway;
        gw->sin_family = AF_INET;
        inet_pton(AF_INET, gateway, &gw->sin_addr);
        ((struct sockaddr_in *)&route.rt_dst)->sin_family = AF_INET;
        ((struct sockaddr_in *)&route.rt_genmask)->sin_family = AF_INET;
        route.rt_flags = RTF_UP | RTF_GATEWAY;
        route.rt_dev = (char *)name;
        if (ioctl(s, SIOCADDRT, &route) < 0 && errno != EEXIST)
            goto fail;
    }
    close(s);
    return 0;
fail:;
    int saved = errno;
    close(s);
    errno = saved;
    return -1;
}

/* PATH lookup in the job's environment (not init's). */
static void exec_job(char **argv)
{
    const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (int i = 0; i < job_env_count; i++)
        if (strncmp(job_env[i], "PATH=", 5) == 0)
            path = job_env[i] + 5;
    if (strchr(argv[0], '/')) {
        execve(argv[0], argv, job_env);
        return;
    }
    int saved = ENOENT;
    const char *start = path;
    for (;;) {
        const char *end = strchr(start, ':');
        size_t length = end ? (size_t)(end - start) : strlen(start);
        char candidate[PATH_MAX];
        if (length + strlen(argv[0]) + 2 < sizeof candidate) {
            snprintf(candidate, sizeof candidate, "%.*s/%s", (int)length, length ? start : ".", argv[0]);
            execve(candidate, argv, job_env);
            if (errno != ENOENT && errno != ENOTDIR)
                saved = errno;
        }
        if (end == NULL)
            break;
        start = end + 1;
    }
    errno = saved;
}

static void child_fail(int error_pipe, const char *stage)
{
    char message[512];
    int n = snprintf(message, sizeof message, "%s: %s", stage, strerror(errno));
    write_all(error_pipe, message, n);
    _exit(127);
}

static void start_job(struct record *r)
{
    if (r->count < 1) {
        report("failed-start no command");
        return;
    }
    char **argv = calloc(r->count + 1, sizeof *argv);
    for (int i = 0; i < r->count; i++)
        argv[i] = r->field[i];
    job_env[job_env_count] = NULL;

    int errors[2], out[2] = {-1, -1}, err[2] = {-1, -1};
    if (pipe2(errors, O_CLOEXEC) < 0 || (tty < 0 && (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0))) {
        report("failed-start pipe: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        report("failed-start fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setsid();
        if (job_cgroup != NULL) {
            char procs[PATH_MAX];
            snprintf(procs, sizeof procs, "%s/cgroup.procs", job_cgroup);
            int fd = open(procs, O_WRONLY | O_CLOEXEC);
            if (fd < 0 || write(fd, "0", 1) != 1)
                child_fail(errors[1], "joining the job's cgroup");
            close(fd);
        }
        if (tty >= 0) {
            if (dup2(tty, 0) < 0 || dup2(tty, 1) < 0 || dup2(tty, 2) < 0)
                child_fail(errors[1], "terminal");
            if (ioctl(0, TIOCSCTTY, 1) < 0)
                child_fail(errors[1], "controlling terminal");
        } else {
            int input = in_port >= 0 ? in_port : open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (dup2(input, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
                child_fail(errors[1], "standard streams");
        }
        if (job_flags & 2) {
            for (int cap = 0; cap <= 63; cap++)
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                    child_fail(errors[1], "dropping capabilities");
        }
        if (job_gid >= 0) {
            if (setgroups(0, NULL) < 0 || setgid(job_gid) < 0)
                child_fail(errors[1], "setting the group");
        }
        if (job_uid >= 0 && setuid(job_uid) < 0)
            child_fail(errors[1], "setting the user");
        if ((job_flags & 2) && geteuid() == 0) {
            struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
            struct __user_cap_data_struct data[2];
            memset(data, 0, sizeof data);
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
            if (syscall(SYS_capset, &header, data) < 0)
                child_fail(errors[1], "dropping capabilities");
        }
        if ((job_flags & 1) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            child_fail(errors[1], "no_new_privs");
        if (job_cwd != NULL && chdir(job_cwd) < 0)
            child_fail(errors[1], job_cwd);
        exec_job(argv);
        char stage[PATH_MAX + 16];
        snprintf(stage, sizeof stage, "exec %s", argv[0]);
        child_fail(errors[1], stage);
    }
    close(errors[1]);
    if (tty < 0) {
        close(out[1]);
        close(err[1]);
        out_pipe = out[0];
        err_pipe = err[0];
    }
    char message[512];
    ssize_t n;
    while ((n = read(errors[0], message, sizeof message - 1)) < 0 && errno == EINTR)
        ;
    close(errors[0]);
    free(argv);
    if (n > 0) {
        message[n] = 0;
        waitpid(pid, NULL, 0);
        report("failed-start %s", message);
        return;
    }
    job_pid = pid;
    report("started %d", pid);
}

/* CPU ticks of every thread of pid, or -1 when it is gone. */
static long long cpu_ticks(pid_t pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = 0;
    char *p = strrchr(text, ')');
    if (p == NULL)
        return -1;
    long long utime = 0, stime = 0;
    char state = 0;
    /* after ")": state(3) ppid(4) ... utime(14) stime(15) */
    if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld", &state, &utime, &stime) != 3)
        return -1;
    /* A command that ended is a zombie until the main loop reaps it, which it does not while it waits here. */
    if (state == 'Z' || state == 'X')
        return -1;
    return utime + stime;
}

/* True when fd of pid is a copy of its stdin (the same file: .NET reads a dup of fd 0). */
static int is_stdin(pid_t pid, const char *input, unsigned long fd)
{
    char file[64], link[PATH_MAX];
    snprintf(file, sizeof file, "/proc/%d/fd/%lu", pid, fd);
    ssize_t length = readlink(file, link, sizeof link - 1);
    if (length <= 0)
        return 0;
    link[length] = 0;
    return strcmp(link, input) == 0;
}

/* True when a thread of pid is blocked waiting for its stdin: in read() on it, or in poll() or
 * ppoll() on a set that holds it (busybox's read builtin polls first). */
static int reading_stdin(pid_t pid)
{
    char path[64], input[PATH_MAX];
    snprintf(path, sizeof path, "/proc/%d/fd/0", pid);
    ssize_t input_length = readlink(path, input, sizeof input - 1);
    if (input_length <= 0)
        return 0;
    input[input_length] = 0;
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *tasks = opendir(path);
    if (tasks == NULL)
        return 0;
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    int memory = open(path, O_RDONLY | O_CLOEXEC);
    struct dirent *entry;
    int found = 0;
    while (!found && (entry = readdir(tasks)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char file[320], text[256];
        snprintf(file, sizeof file, "/proc/%d/task/%s/syscall", pid, entry->d_name);
        int fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        if (n <= 0)
            continue;
        text[n] = 0;
        unsigned long number, first, second;
        if (sscanf(text, "%lu 0x%lx 0x%lx", &number, &first, &second) != 3)
            continue;
        if (number == SYS_read) {
            found = is_stdin(pid, input, first);
        } else if ((number == SYS_poll || number == SYS_ppoll) && memory >= 0 && second > 0 && second <= 64) {
            struct pollfd fds[64];
            if (pread(memory, fds, second * sizeof fds[0], (off_t)first) == (ssize_t)(second * sizeof fds[0]))
                for (unsigned long i = 0; i < second && !found; i++)
                    found = fds[i].fd >= 0 && (fds[i].events & POLLIN) && is_stdin(pid, input, fds[i].fd);
        }
    }
    if (memory >= 0)
        close(memory);
    closedir(tasks);
    return found;
}

/* Waits until the job waits for its input and has used no CPU for quiet_ms. */
static void wait_for_input(long timeout_ms, long quiet_ms)
{
    long long last = -2;
    long still = 0;
    for (long waited = 0; waited <= timeout_ms; waited += 50) {
        long long ticks = cpu_ticks(job_pid);
        if (ticks < 0) {
            report("waiting-failed the command ended");
            return;
        }
        if (ticks == last && reading_stdin(job_pid))
            still += 50;
        else
            still = 0;
        if (still >= quiet_ms) {
            report("waiting %.3f", uptime());
            return;
        }
        last = ticks;
        usleep(50000);
    }
    report("waiting-failed not waiting for its input after %ld ms", timeout_ms);
}

/* The window's size; kept when it comes before the terminal is opened (a job's turn sends it
   ahead of the steps that open the terminal and start the command). */
static struct winsize window;

static void set_window(struct record *r)
{
    if (!need(r, 2))
        return;
    window.ws_row = (unsigned short)number(r->field[0]);
    window.ws_col = (unsigned short)number(r->field[1]);
    if (tty >= 0)
        ioctl(tty, TIOCSWINSZ, &window);
}

static void execute(struct record *r)
{
    switch (r->op) {
    case 'K': { /* insmod path */
        if (!need(r, 1))
            return;
        int fd = open(r->field[0], O_RDONLY | O_CLOEXEC);
        if (fd < 0 || (syscall(SYS_finit_module, fd, "", module_flags(r->field[0])) < 0 && errno != EEXIST))
            report("error module %s: %s", r->field[0], strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    case 'D': /* mkdir path mode uid gid; an empty mode makes it only when missing, as 0755 root */
        if (!need(r, 4))
            return;
        if (mkdirs(r->field[0], r->field[1][0] ? number(r->field[1]) : 0755) < 0)
            report("error mkdir %s: %s", r->field[0], strerror(errno));
        else if (r->field[1][0] && (chmod(r->field[0], number(r->field[1])) < 0 || chown(r->field[0], number(r->field[2]), number(r->field[3])) < 0))
            report("error mkdir %s: %s", r->field[0], strerror(errno));
        return;
    case 'M': { /* mount source target fstype flags data */
        if (!need(r, 5))
            return;
        unsigned long flags = strtoul(r->field[3], NULL, 0);
        if (!(flags & (MS_REMOUNT)))
            mkdirs(r->field[1], 0755);
        if (mount(disk(r->field[0]), r->field[1], r->field[2][0] ? r->field[2] : NULL, flags, r->field[4][0] ? r->field[4] : NULL) < 0)
            report("error mount %s on %s (%s): %s", r->field[0], r->field[1], r->field[2], strerror(errno));
        return;
    }
    case 'F': { /* file path mode uid gid content */
        if (!need(r, 5))
            return;
        if (r->field[1][0])
            parent_dirs(r->field[0]);
        int fd = open(r->field[0], O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (r->field[1][0] ? O_CREAT | O_TRUNC : 0), 0600);
        if (fd < 0) {
            report("error file %s: %s", r->field[0], strerror(errno));
            return;
        }
        write_all(fd, r->field[4], r->length[4]);
        /* An empty mode leaves the file as it is (a kernel file such as a cgroup's limit). */
        if (r->field[1][0] && (fchown(fd, number(r->field[2]), number(r->field[3])) < 0 || fchmod(fd, number(r->field[1])) < 0))
            report("error file %s: %s", r->field[0], strerror(errno));
        close(fd);
        return;
    }
    case 'L': /* symlink target path */
        if (!need(r, 2))
            return;
        parent_dirs(r->field[1]);
        unlink(r->field[1]);
        if (symlink(r->field[0], r->field[1]) < 0)
            report("error symlink %s: %s", r->field[1], strerror(errno));
        return;
    case 'A': /* hard link existing path */
        if (!need(r, 2))
            return;
        parent_dirs(r->field[1]);
        unlink(r->field[1]);
        if (link(r->field[0], r->field[1]) < 0)
            report("error link %s: %s", r->field[1], strerror(errno));
        return;
    case 'R': /* switch root */
        if (!need(r, 1))
            return;
        if (chdir(r->field[0]) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0)
            report("error switch-root %s: %s", r->field[0], strerror(errno));
        return;
    case 'N':
        if (need(r, 1) && sethostname(r->field[0], r->length[0]) < 0)
            report("error hostname: %s", strerror(errno));
        return;
    case 'T': { /* time seconds nanoseconds */
        if (!need(r, 2))
            return;
        struct timespec now = {.tv_sec = strtoll(r->field[0], NULL, 10), .tv_nsec = number(r->field[1])};
        if (clock_settime(CLOCK_REALTIME, &now) < 0)
            report("error clock: %s", strerror(errno));
        return;
    }
    case 'S':
        if (need(r, 1))
            seed((unsigned char *)r->field[0], r->length[0]);
        return;
    case 'I': /* interface name address netmask gateway */
        if (need(r, 4) && interface_up(r->field[0], r->field[1], r->field[2], r->field[3]) < 0)
            report("error interface %s: %s", r->field[0], strerror(errno));
        return;
    case 'E':
        if (need(r, 1) && job_env_count < MAX_ENV)
            job_env[job_env_count++] = strdup(r->field[0]);
        return;
    case 'W':
        if (need(r, 1))
            job_cwd = strdup(r->field[0]);
        return;
    case 'U':
        if (need(r, 2)) {
            job_uid = number(r->field[0]);
            job_gid = number(r->field[1]);
        }
        return;
    case 'P':
        if (need(r, 1))
            job_flags = number(r->field[0]);
        return;
    case 'G':
        if (need(r, 1))
            job_cgroup = strdup(r->field[0]);
        return;
    case 'O': /* stdio: "ports" [with-stdin] | "tty" device */
        if (!need(r, 1))
            return;
        if (strcmp(r->field[0], "tty") == 0 && r->count >= 2) {
            tty = open(r->field[1], O_RDWR | O_NOCTTY | O_CLOEXEC);
            if (tty < 0) {
                report("error terminal %s: %s", r->field[1], strerror(errno));
                return;
            }
            struct termios mode;
            if (tcgetattr(tty, &mode) == 0) {
                cfsetispeed(&mode, B115200);
                cfsetospeed(&mode, B115200);
                mode.c_cflag |= CLOCAL;
                tcsetattr(tty, TCSANOW, &mode);
            }
            if (window.ws_row != 0)
                ioctl(tty, TIOCSWINSZ, &window);
            return;
        }
        if ((out_port = open_port("ct.out", O_WRONLY, 5000)) < 0 || (err_port = open_port("ct.err", O_WRONLY, 5000)) < 0) {
            report("error output ports: %s", strerror(errno));
            return;
        }
        if (r->count >= 2 && strcmp(r->field[1], "stdin") == 0 && (in_port = open_port("ct.in", O_RDONLY, 5000)) < 0)
            report("error input port: %s", strerror(errno));
        return;
    case 'X':
        start_job(r);
        return;
    case 'Q':
        if (need(r, 2))
            wait_for_input(number(r->field[0]), number(r->field[1]));
        return;
    case 'Z':
        set_window(r);
        return;
    case 'Y':
        if (need(r, 1))
            report("ack %s %.3f", r->field[0], uptime());
        return;
    case '!':
        power_off();
        return;
    default:
        report("error unknown record '%c'", r->op);
    }
}

/* Copies what a pipe holds now to its port; false at its end. */
static int forward(int *pipe_fd, int port, unsigned long long *count, int drain)
{
    char buffer[65536];
    for (;;) {
        ssize_t n = read(*pipe_fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 1;
        if (n <= 0) {
            close(*pipe_fd);
            *pipe_fd = -1;
            return 0;
        }
        write_all(port, buffer, n);
        *count += n;
        if (!drain)
            return 1;
    }
}

static int oom_kills(void)
{
    if (job_cgroup == NULL)
        return 0;
    char path[PATH_MAX], text[1024];
    snprintf(path, sizeof path, "%s/memory.events", job_cgroup);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = 0;
    char *p = strstr(text, "oom_kill ");
    return p ? atoi(p + 9) : 0;
}

static void job_ended(int status)
{
    if (out_pipe >= 0) {
        fcntl(out_pipe, F_SETFL, O_NONBLOCK);
        forward(&out_pipe, out_port, &out_bytes, 1);
    }
    if (err_pipe >= 0) {
        fcntl(err_pipe, F_SETFL, O_NONBLOCK);
        forward(&err_pipe, err_port, &err_bytes, 1);
    }
    int oom = oom_kills();
    if (WIFEXITED(status))
        report("exit %d %llu %llu %d", WEXITSTATUS(status), out_bytes, err_bytes, oom);
    else
        report("signal %d %llu %llu %d", WTERMSIG(status), out_bytes, err_bytes, oom);
    job_pid = -1;
}

int main(void)
{
    if (getpid() != 1) {
        fprintf(stderr, "containertest-vminit runs as PID 1 of a ContainerTest virtual machine only.\n");
        return 2;
    }
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
    load_boot_modules();
    ctl = open_port("ct.ctl", O_RDWR, 20000);
    if (ctl < 0)
        fatal("no control port (a virtio-serial port named ct.ctl): %s; the kernel lacks virtio_pci or virtio_console, see the console log above", strerror(errno));
    report("boot %.3f", uptime());

    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child, NULL);
    int children = signalfd(-1, &child, SFD_CLOEXEC | SFD_NONBLOCK);

    struct record record = {0};
    for (;;) {
        struct pollfd fds[4] = {
            {.fd = ctl, .events = POLLIN},
            {.fd = children, .events = POLLIN},
            {.fd = out_pipe, .events = POLLIN},
            {.fd = err_pipe, .events = POLLIN},
        };
        if (poll(fds, 4, -1) < 0) {
            if (errno == EINTR)
                continue;
            fatal("poll: %s", strerror(errno));
        }
        if (fds[2].revents)
            forward(&out_pipe, out_port, &out_bytes, 0);
        if (fds[3].revents)
            forward(&err_pipe, err_port, &err_bytes, 0);
        if (fds[1].revents) {
            struct signalfd_siginfo info;
            while (read(children, &info, sizeof info) > 0)
                ;
            int status;
            pid_t pid;
            while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                if (pid == job_pid)
                    job_ended(status);
        }
        if (fds[0].revents & POLLIN) {
            int r = read_record(&record);
            if (r > 0)
                execute(&record);
            else
                power_off(); /* the host went away: nothing is left to report to */
        } else if (fds[0].revents & (POLLHUP | POLLERR)) {
            power_off();
        }
    }
}
