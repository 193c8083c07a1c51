// Linux x86-64: what the tests of buffers of another process share (test_process_buffers.cc,
// test_process_chain.cc): process_buffers_peer children on pipes, their records, and a reader of
// a target's locator chain from outside.
#ifndef BUFFERS_PROCESS_BUFFERS_CHILD_H
#define BUFFERS_PROCESS_BUFFERS_CHILD_H

#include <gtest/gtest.h>

#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "maps_path.h"
#include "record_checks.h"
#include "test_support.h"

extern "C" {
#include "os/vmem_other.h"
}

// One locator of a target's chain, read from its memory: where it is, the file mapped there ("" for
// private memory) and its items' buffers (document layout: base, taken, size, position).
struct ChainLocator {
    uintptr_t address;
    std::string path;
    std::vector<std::pair<uintptr_t, uint32_t>> buffers;
};

// The chain of process pid from its first locator (the mapping of its "PID <pid>" file).
inline std::vector<ChainLocator> ReadChain(pid_t pid) {
    std::vector<ChainLocator> chain;
    std::string maps_name = "/proc/" + std::to_string(pid) + "/maps", suffix = "PID " + std::to_string(pid) + "\n";
    FILE *maps = fopen(maps_name.c_str(), "r");
    uintptr_t address = 0;
    char line[4096];
    while (maps && fgets(line, sizeof line, maps))
        if (std::string(line).size() > suffix.size() &&
            std::string(line).compare(strlen(line) - suffix.size(), suffix.size(), suffix) == 0)
            address = (uintptr_t)strtoull(line, nullptr, 16);
    if (maps) fclose(maps);
    for (int n = 0; address && n < 64; n++) {
        unsigned char block[4096];
        if (vmem_read_other((uint32_t)pid, address, block, sizeof block) != 0) break;
        ChainLocator loc{address, MappedPathAt(pid, address), {}};
        unsigned count = std::max(block[21], block[23]);
        for (unsigned i = 0; i < count && i < 203; i++) {
            uintptr_t base;
            uint32_t size;
            memcpy(&base, block + 24 + 20 * i, sizeof base);
            memcpy(&size, block + 24 + 20 * i + 12, sizeof size);
            loc.buffers.emplace_back(base, size);
        }
        chain.push_back(loc);
        memcpy(&address, block + 8, sizeof address);
    }
    return chain;
}

// Which locator of chain registers the buffer holding address (-1: none).
inline int LocatorOf(const std::vector<ChainLocator> &chain, uintptr_t address) {
    for (size_t n = 0; n < chain.size(); n++)
        for (const auto &buffer : chain[n].buffers)
            if (address >= buffer.first && address - buffer.first < buffer.second) return (int)n;
    return -1;
}

// Why these tests cannot run here, or "".
inline std::string WhyNotHere() {
#if !defined(__x86_64__) && !defined(__aarch64__)
    return "Linux x86-64 and aarch64 only";
#else
    if (!vmem_supports_other_processes()) return "this build does not act in other processes";
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    int error = ptrace(PTRACE_SEIZE, child, nullptr, nullptr) == 0 ? 0 : errno;
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return error ? std::string("ptrace is not available here: ") + strerror(error) : "";
#endif
}

// A child with its stdin and stdout on pipes.
struct Child {
    pid_t pid = -1;
    FILE *in = nullptr, *out = nullptr;

    // layout: the target's BUFFERS_LOCATOR_LAYOUT ("" leaves the environment alone).
    explicit Child(std::vector<std::string> args, const std::string &layout = "") {
        int to[2], from[2];
        if (pipe(to) != 0 || pipe(from) != 0) return;
        pid = fork();
        if (pid == 0) {
            dup2(to[0], 0);
            dup2(from[1], 1);
            close(to[1]);
            close(from[0]);
            if (!layout.empty()) setenv("BUFFERS_LOCATOR_LAYOUT", layout.c_str(), 1);
            std::vector<char *> argv;
            for (auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        close(to[0]);
        close(from[1]);
        in = fdopen(to[1], "w");
        out = fdopen(from[0], "r");
    }
    void Say(const char *line) {
        fprintf(in, "%s\n", line);
        fflush(in);
    }
    // Lines until one starting with stop (included); all lines if stop is empty.
    std::vector<std::string> Lines(const std::string &stop) {
        std::vector<std::string> lines;
        char line[512];
        while (fgets(line, sizeof line, out)) {
            lines.emplace_back(line);
            if (!stop.empty() && lines.back().compare(0, stop.size(), stop) == 0) break;
        }
        return lines;
    }
    int Wait() {
        if (in) fclose(in);
        if (out) fclose(out);
        in = out = nullptr;
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    ~Child() {
        if (in || out) {
            kill(pid, SIGKILL);
            Wait();
        }
    }
};

class ProcessBuffers : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why = WhyNotHere();
        if (!why.empty()) GTEST_SKIP() << why;
    }
};

// A target started with ROUNDS 1 does its one round ("go", then "check"): its record goes in own.
inline void RunOneTargetRound(Child *target, std::vector<Record> *own) {
    target->Say("go");
    target->Say("check");
    std::string errors;
    auto report = target->Lines("checked");
    Collect(report, 'T', own, &errors);
    ASSERT_FALSE(report.empty());
    ASSERT_EQ(report.back(), "checked 0\n") << errors;
    ASSERT_EQ(own->size(), 1u);
}

// 64-bit: 203 items per locator. The target's first two locators hold only full buffers, so every
// buffer the writers lock or register is in the third locator or later: mapped from its file and
// locked there across the three processes.
constexpr int kItemsPerLocator = 203;

#endif
