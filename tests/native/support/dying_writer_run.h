// Linux: starting the helper dying_writer against a target and telling how a child ended
// (test_dying_writer.cc, test_dying_extender.cc).
#ifndef BUFFERS_DYING_WRITER_RUN_H
#define BUFFERS_DYING_WRITER_RUN_H

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

// Starts the writer (mode "create" or "alloc") in a process group of its own and returns once it
// printed "go"; exit_after_us, if not empty, has it call exit() that long after.
inline pid_t StartWriter(pid_t target, const char *mode, const std::string &exit_after_us) {
    int out[2];
    if (pipe(out) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(out[1], STDOUT_FILENO);
        std::string id = std::to_string(target);
        if (exit_after_us.empty())
            execl(DYING_WRITER_PATH, DYING_WRITER_PATH, id.c_str(), mode, (char *)nullptr);
        else
            execl(DYING_WRITER_PATH, DYING_WRITER_PATH, id.c_str(), mode, exit_after_us.c_str(), (char *)nullptr);
        _exit(127);
    }
    close(out[1]);
    char go[3] = {0};
    ssize_t got;
    while ((got = read(out[0], go, sizeof go)) < 0 && errno == EINTR) {
    }
    close(out[0]);
    return pid;
}

inline std::string ExitOf(int status) {
    if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}

#endif
