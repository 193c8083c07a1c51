// Runs a helper program in a fresh process with $BUFFERS_SHARED_ROOT set, and a scratch root
// directory that is removed afterwards.
#ifndef BUFFERS_PROCESS_RUNNER_H
#define BUFFERS_PROCESS_RUNNER_H

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>

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
