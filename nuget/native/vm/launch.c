/*
 * containertest-vmlaunch: starts QEMU so that it cannot outlive the process that asked for it.
 *
 *     containertest-vmlaunch <qemu> [arguments...]
 *
 * Its stdin is a pipe whose other end only the test host holds. When the test host ends in any
 * way (exit, crash, SIGKILL), the pipe reaches end-of-file and this kills QEMU at once (SIGKILL)
 * and waits for it. QEMU itself is its child with PR_SET_PDEATHSIG, so it also dies if this
 * launcher is killed. The exit status is QEMU's (128 + signal when a signal ended it).
 *
 * Why not PR_SET_PDEATHSIG on QEMU straight from the test host: the signal follows the *thread*
 * that forked, and .NET starts processes from thread-pool threads, which end when idle.
 *
 * Built statically by nuget/native/build.sh; carried in the ContainerTest package.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: containertest-vmlaunch <qemu> [arguments...]\n");
        return 2;
    }
    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child, NULL);
    int children = signalfd(-1, &child, SFD_CLOEXEC);
    pid_t self = getpid();
    pid_t qemu = fork();
    if (qemu < 0) {
        perror("containertest-vmlaunch: fork");
        return 125;
    }
    if (qemu == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != self)
            _exit(125);
        sigprocmask(SIG_UNBLOCK, &child, NULL);
        int null = open("/dev/null", 0);
        if (null >= 0) {
            dup2(null, 0);
            close(null);
        }
        execv(argv[1], argv + 1);
        fprintf(stderr, "containertest-vmlaunch: cannot start %s: %s\n", argv[1], strerror(errno));
        _exit(127);
    }
    for (;;) {
        struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = children, .events = POLLIN}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[1].revents) {
            struct signalfd_siginfo info;
            (void)!read(children, &info, sizeof info);
            int status;
            if (waitpid(qemu, &status, WNOHANG) == qemu)
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (fds[0].revents) {
            char buffer[256];
            ssize_t n = read(0, buffer, sizeof buffer);
            if (n <= 0)
                break; /* the owner is gone (or closed the pipe: stop now) */
        }
    }
    kill(qemu, SIGKILL);
    int status;
    waitpid(qemu, &status, 0);
    return 137;
}
