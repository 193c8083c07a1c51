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

#include "process_buffers_child.h"

namespace {

// Every writer record lies in a buffer of the third locator or later (the first two hold only full
// buffers), and the target's further locators are its files named after the locator before each.
void ExpectWritersInFurtherLocators(pid_t pid, const std::vector<Record> &written) {
    std::vector<ChainLocator> chain = ReadChain(pid);
    ASSERT_GE(chain.size(), 3u);
    for (size_t n = 1; n < chain.size(); n++) {
        std::string name = "/" + FurtherLocatorName(pid, chain[n - 1].address);
        ASSERT_GE(chain[n].path.size(), name.size()) << "locator " << n + 1 << " is not a file: " << chain[n].path;
        EXPECT_EQ(chain[n].path.substr(chain[n].path.size() - name.size()), name) << "locator " << n + 1;
    }
    size_t in_first_two = 0, nowhere = 0;
    for (const Record &r : written) {
        int n = LocatorOf(chain, r.address);
        in_first_two += n == 0 || n == 1;
        nowhere += n < 0;
    }
    EXPECT_EQ(in_first_two, 0u);
    EXPECT_EQ(nowhere, 0u) << "records in buffers no locator of the target registers";
}

// The target (its chain in layout; with full, that many full buffers registered first) keeps
// writing, pausing between rounds, until "check", so it runs all the while two writer processes
// write into it.
void ShareWithTwoWriters(const std::string &layout, int full = 0) {
    const int kTargetThreads = 4, kTargetRounds = 2000, kWriterThreads = 3, kWriterRounds = 300;
    Child target({PROCESS_BUFFERS_PEER_PATH, "target", std::to_string(kTargetThreads), std::to_string(kTargetRounds),
                  std::to_string(full)},
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
    if (full) ExpectWritersInFurtherLocators(target.pid, written);
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

TEST_F(ProcessBuffers, WritersLockAndRegisterBuffersInTheTargetsFurtherLocators) {
    ShareWithTwoWriters("document", 2 * kItemsPerLocator + 5);
}

// The same with a chain whose two locators are exactly full: the first writer thread (or the
// target) to need a new buffer chains the third locator, the others walk into it.
TEST_F(ProcessBuffers, WritersAndTheTargetRaceToExtendAFullChain) {
    ShareWithTwoWriters("document", 2 * kItemsPerLocator);
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
    const unsigned char code[] = {0x90};
    ExpectCodeLandsInTheTarget((uint32_t)target.pid, item);
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
