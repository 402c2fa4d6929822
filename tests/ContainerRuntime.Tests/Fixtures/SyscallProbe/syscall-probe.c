/*
 * Makes every x86_64 system call number once, with arguments that do nothing harmful (-1 and
 * zeros), each in a child process with a one-second alarm, and prints "<number> <errno>" per
 * call (0 when it succeeded, "skip" for the calls that would end, block or clone the probe
 * itself, "died" when the child was killed). Comparing its output under two seccomp policies
 * tells which calls one of them refuses: a call refused by a filter answers EPERM (or ENOSYS)
 * whatever it would otherwise have answered. Then two lines for clone: "clone-newuser <errno>"
 * (clone with CLONE_NEWUSER) and "clone3 <errno>". Built statically at test time (SeccompTests).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Makes one call in a child (which ends at once if the call made a new process) and prints its errno. */
static void probe(const char *name, long nr, long a0, long a1)
{
    int pipefd[2];
    if (pipe(pipefd) != 0)
        exit(2);
    pid_t pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        alarm(1);
        long result = syscall(nr, a0, a1, 0L, 0L, 0L, 0L);
        if (result == 0 && (nr == SYS_clone || nr == SYS_clone3))
            _exit(0); /* both the caller and the new process of a clone that succeeded */
        int error = result == -1 ? errno : 0;
        if (write(pipefd[1], &error, sizeof error) != sizeof error)
            _exit(3);
        _exit(0);
    }
    close(pipefd[1]);
    int error = -1;
    ssize_t got = read(pipefd[0], &error, sizeof error);
    close(pipefd[0]);
    int status;
    waitpid(pid, &status, 0);
    if (got == sizeof error)
        printf("%s %d\n", name, error);
    else
        printf("%s died\n", name);
}

int main(int argc, char **argv)
{
    int highest = argc > 1 ? atoi(argv[1]) : 460;
    char name[16];
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int nr = 0; nr <= highest; nr++) {
        if (nr == SYS_exit || nr == SYS_exit_group || nr == SYS_pause || nr == SYS_fork || nr == SYS_vfork ||
            nr == SYS_rt_sigreturn || nr == SYS_rt_sigsuspend || nr == SYS_clone || nr == SYS_clone3) {
            printf("%d skip\n", nr);
            continue;
        }
        snprintf(name, sizeof name, "%d", nr);
        probe(name, nr, -1L, 0L);
    }
    probe("clone-newuser", SYS_clone, CLONE_NEWUSER | SIGCHLD, 0);
    uint64_t args[11] = { CLONE_NEWUSER, 0, 0, 0, SIGCHLD, 0, 0, 0, 0, 0, 0 };
    probe("clone3", SYS_clone3, (long)args, (long)sizeof args);
    return 0;
}
