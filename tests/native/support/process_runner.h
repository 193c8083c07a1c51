// Runs a helper program in a fresh process with $BUFFERS_SHARED_ROOT set, and a scratch root
// directory that is removed afterwards.
#ifndef BUFFERS_PROCESS_RUNNER_H
#define BUFFERS_PROCESS_RUNNER_H

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

struct RunResult {
    int exit_code;
    std::string output;
    // The value of key=... in the output ("" if absent).
    std::string Field(const std::string &key) const {
        size_t at = output.find(key + "=");
        if (at == std::string::npos) return "";
        size_t start = at + key.size() + 1, end = output.find_first_of(" \n", start);
        return output.substr(start, end - start);
    }
};

inline RunResult RunWithRoot(const std::string &root, const std::string &command) {
    std::string line = "BUFFERS_SHARED_ROOT='" + root + "' " + command + " 2>&1";
    FILE *pipe = popen(line.c_str(), "r");
    RunResult result{-1, ""};
    if (!pipe) return result;
    char chunk[512];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0) result.output.append(chunk, n);
    int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

// What a forked child did: its wait status and the text its function returned.
struct ForkResult {
    int status = -1;
    std::string text;
    bool ExitedCleanly() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
    std::string HowItEnded() const {
        if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
        return "exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
};

// Runs fn in a forked child (so a crash there cannot take the test with it) and returns how the
// child ended with the text fn returned.
inline ForkResult RunInFork(const std::function<std::string()> &fn) {
    ForkResult result;
    int report[2];
    if (pipe(report) != 0) return result;
    pid_t child = fork();
    if (child == 0) {
        close(report[0]);
        std::string text = fn();
        _exit(write(report[1], text.data(), text.size()) == (ssize_t)text.size() ? 0 : 3);
    }
    close(report[1]);
    char chunk[256];
    for (ssize_t n; (n = read(report[0], chunk, sizeof chunk)) > 0;) result.text.append(chunk, (size_t)n);
    close(report[0]);
    while (waitpid(child, &result.status, 0) < 0 && errno == EINTR) {
    }
    return result;
}

// The id of a process that has just ended (forked and reaped): no process has it, for a while.
inline pid_t DeadPid() {
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, nullptr, 0);
    return child;
}

class ScratchRoot : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/buffers-root-XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        root = pattern;
    }
    void TearDown() override {
        std::string command = "rm -rf '" + root + "'";
        EXPECT_EQ(std::system(command.c_str()), 0);
    }
    std::string SharedDir() const { return root + "/.reloaded/memory.buffers"; }
    std::string root;
};

#endif
