// Linux x86-64: buffers of another process (buffers_process_*). A target that uses the library in
// several threads while two writer processes (several threads each) get buffers in it, append and
// release: no two handed-out ranges overlap, and every byte is intact on both sides. Plus the
// refusals: no such process, a process without a locator, null arguments, use after close.
#include <gtest/gtest.h>

#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "record_checks.h"
#include "test_support.h"

extern "C" {
#include "vmem.h"
}

namespace {

// Why these tests cannot run here, or "".
std::string WhyNotHere() {
#if !defined(__x86_64__)
    return "Linux x86-64 only";
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

// The target (its chain in layout) keeps writing, pausing between rounds, until "check", so it runs
// all the while two writer processes write into it.
void ShareWithTwoWriters(const std::string &layout) {
    const int kTargetThreads = 4, kTargetRounds = 2000, kWriterThreads = 3, kWriterRounds = 300;
    Child target({PROCESS_BUFFERS_PEER_PATH, "target", std::to_string(kTargetThreads), std::to_string(kTargetRounds)},
                 layout);
    ASSERT_GT(target.pid, 0);
    auto ready = target.Lines("ready");
    ASSERT_FALSE(ready.empty());
    ASSERT_EQ(ready.back(), "ready " + layout + "\n");
    std::string pid = std::to_string(target.pid);
    Child first({PROCESS_BUFFERS_PEER_PATH, "writer", pid, std::to_string(kWriterThreads),
                 std::to_string(kWriterRounds), "2"});
    Child second({PROCESS_BUFFERS_PEER_PATH, "writer", pid, std::to_string(kWriterThreads),
                  std::to_string(kWriterRounds), "3"});
    target.Say("go");
    std::vector<Record> written, own;
    std::string errors;
    Collect(first.Lines(""), 'W', &written, &errors);
    Collect(second.Lines(""), 'W', &written, &errors);
    EXPECT_EQ(first.Wait(), 0) << errors;
    EXPECT_EQ(second.Wait(), 0) << errors;
    EXPECT_EQ(written.size(), 2u * kWriterThreads * kWriterRounds) << errors;
    target.Say("check");
    auto report = target.Lines("checked");
    Collect(report, 'T', &own, &errors);
    ASSERT_FALSE(report.empty());
    EXPECT_EQ(report.back(), "checked 0\n") << errors;
    EXPECT_GE(own.size(), (size_t)kTargetThreads) << errors;

    // The writers' bytes, read from the target's memory while it is still alive.
    size_t wrong = 0;
    for (const Record &r : written) {
        unsigned char got[64];
        struct iovec local = {got, r.length}, remote = {(void *)r.address, r.length};
        ASSERT_EQ(process_vm_readv(target.pid, &local, 1, &remote, 1, 0), (ssize_t)r.length) << strerror(errno);
        for (uint32_t k = 0; k < r.length; k++) wrong += got[k] != RecordByte(r.seed, k);
    }
    EXPECT_EQ(wrong, 0u);
    target.Say("exit");
    EXPECT_EQ(target.Wait(), 0);

    ExpectSharedWithoutOverlap(own, written);
}

TEST_F(ProcessBuffers, TwoWriterProcessesAndTheTargetShareItsBuffersWithoutOverlap) {
    ShareWithTwoWriters("document");
}

// The writers find the target's layout from its items: written in the document's, their lock
// compare-and-swap would land on Rust's size word.
TEST_F(ProcessBuffers, TargetInRustsItemLayoutIsSharedInThatLayout) {
    ShareWithTwoWriters("rust");
}

TEST_F(ProcessBuffers, ProcessThatDoesNotExistIsAnInvalidArgument) {
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, nullptr, 0);   // reaped: its pid names no process now
    buffers_process *process = reinterpret_cast<buffers_process *>(1);
    ExpectFailure(buffers_process_open((uint32_t)child, &process), BUFFERS_ERROR_INVALID_ARGUMENT, "no such process");
    EXPECT_EQ(process, nullptr);
}

TEST_F(ProcessBuffers, NullArgumentsAndThisProcessAreRefused) {
    ExpectFailure(buffers_process_open(1, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT, "out is null");
    buffers_process *process = nullptr;
    ExpectFailure(buffers_process_open((uint32_t)getpid(), &process), BUFFERS_ERROR_INVALID_ARGUMENT, "this process");
    buffers_search_settings settings = {0, kTwoGiB, 16};
    buffers_item *item = nullptr;
    ExpectFailure(buffers_process_get_buffer(nullptr, &settings, &item), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "process is null");
    buffers_process_close(nullptr);   // ignored
}

TEST_F(ProcessBuffers, ItemCallsActInTheTargetAndUseAfterCloseIsRefused) {
    Child target({PROCESS_BUFFERS_PEER_PATH, "target", "1", "1"}, "document");
    ASSERT_GT(target.pid, 0);
    ASSERT_EQ(target.Lines("ready").back(), "ready document\n");
    buffers_process *process = nullptr;
    ASSERT_EQ(buffers_process_open((uint32_t)target.pid, &process), BUFFERS_OK) << buffers_last_error();
    buffers_search_settings settings = {0, kTwoGiB, 32};
    buffers_item *item = nullptr;
    ExpectFailure(buffers_process_get_buffer(process, nullptr, &item), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "settings is null");
    ExpectFailure(buffers_process_get_buffer(process, &settings, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "out_item is null");
    ASSERT_EQ(buffers_process_get_buffer(process, &settings, &item), BUFFERS_OK) << buffers_last_error();
    uint32_t size = buffers_item_size(item), before = buffers_item_position(item);
    EXPECT_GE(size, 32u);
    EXPECT_EQ(buffers_item_bytes_left(item), size - before);
    const unsigned char code[] = {0xC3, 0x90, 0x90, 0xCC};
    uintptr_t at = buffers_item_append_code(item, code, sizeof code);
    ASSERT_EQ(at, buffers_item_base_address(item) + before) << buffers_last_error();
    EXPECT_EQ(buffers_item_position(item), before + sizeof code);
    EXPECT_EQ(buffers_item_append(item, code, size), 0u);   // more than is left
    EXPECT_NE(std::string(buffers_last_error()).find("do not fit"), std::string::npos) << buffers_last_error();
    unsigned char got[sizeof code] = {};
    ASSERT_EQ(vmem_read_other((uint32_t)target.pid, at, got, sizeof got), 0);
    EXPECT_EQ(memcmp(got, code, sizeof code), 0);
    buffers_item_release(item);
    EXPECT_EQ(buffers_item_append(item, code, 1), 0u);   // released
    EXPECT_NE(std::string(buffers_last_error()).find("not locked"), std::string::npos) << buffers_last_error();
    buffers_process_close(process);
    ExpectFailure(buffers_process_get_buffer(process, &settings, &item), BUFFERS_ERROR_INVALID_ARGUMENT, "closed");
    buffers_process_close(process);   // twice: ignored
    target.Say("go");
    target.Say("check");
    EXPECT_EQ(target.Lines("checked").back(), "checked 0\n");
    target.Say("exit");
    EXPECT_EQ(target.Wait(), 0);
}

}  // namespace
