// Linux: a process watch writes into the very process and program it was opened on (os/vmem_other.h,
// vmem_process_watch_write): byte-exact while that program runs, and nothing at all once it has
// exec'd another program (which has memory at the same address) or exited, with no check of ours
// between: the /proc/<pid>/mem descriptor the watch holds is bound to the old address space.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "remote_process.h"

extern "C" {
#include "os/vmem_other.h"
}

namespace {

constexpr size_t kSize = 4096;
// A page of this process (where the kernel puts it: a sanitizer's runtime refuses fixed addresses
// outside its application ranges), mapped again by the peer the child execs.
uintptr_t page_address;

// A child of this process with page_address mapped (inherited), blocked on a pipe; on a line it execs the
// peer's occupy role at page_address (which maps it anew, filled with 0xEE), or with "x" it exits.
struct Forked {
    pid_t pid = -1;
    int say = -1, hear = -1;

    Forked() {
        int to_child[2], from_child[2];
        if (pipe(to_child) != 0 || pipe(from_child) != 0) return;
        pid = fork();
        if (pid == 0) {
            close(to_child[1]);
            close(from_child[0]);
            dup2(from_child[1], STDOUT_FILENO);
            dup2(to_child[0], STDIN_FILENO);   // the peer waits on it for "exit"
            char what = 0;
            if (read(STDIN_FILENO, &what, 1) != 1 || what == 'x') _exit(0);
            char address[32], size[32];
            snprintf(address, sizeof address, "%llu", (unsigned long long)page_address);
            snprintf(size, sizeof size, "%zu", kSize);
            munmap((void *)page_address, kSize);
            execl(PROCESS_BUFFERS_PEER_PATH, PROCESS_BUFFERS_PEER_PATH, "occupy", address, size, (char *)nullptr);
            _exit(127);
        }
        close(to_child[0]);
        close(from_child[1]);
        say = to_child[1];
        hear = from_child[0];
    }
    // The next line the child prints ("occupied" once the peer runs), "" at its end.
    std::string Line() {
        std::string line;
        for (char c; read(hear, &c, 1) == 1 && c != '\n';) line += c;
        return line;
    }
    ~Forked() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
        if (say >= 0) close(say);
        if (hear >= 0) close(hear);
    }
};

// size bytes of pid at address through a /proc/<pid>/mem opened now (empty on failure).
std::vector<uint8_t> ReadNow(pid_t pid, uintptr_t address, size_t size) {
    std::vector<uint8_t> bytes(size);
    int fd = open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
    bool read_all = fd >= 0 && pread(fd, bytes.data(), size, (off_t)address) == (ssize_t)size;
    if (fd >= 0) close(fd);
    return read_all ? bytes : std::vector<uint8_t>();
}

class ProcessWatch : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why = remote_process::WhyNotHere();
        if (!why.empty()) GTEST_SKIP() << why;
        void *at = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ASSERT_NE(at, MAP_FAILED) << "cannot map the test page: " << strerror(errno);
        page_address = (uintptr_t)at;
        std::memset(at, 0x11, kSize);
    }
    void TearDown() override { munmap((void *)page_address, kSize); }
};

TEST_F(ProcessWatch, WritesLandByteExactThenNeverInTheProgramTheTargetExecs) {
    Forked child;
    ASSERT_GT(child.pid, 0);
    vmem_process_watch watch;
    ASSERT_EQ(vmem_process_watch_open((uint32_t)child.pid, &watch), 0);
    EXPECT_GE(watch.memory, 0) << "no /proc/<pid>/mem descriptor: the bound write is not tested";

    const uint8_t data[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    ASSERT_EQ(vmem_process_watch_write(&watch, page_address + 100, data, sizeof data, false), 0);
    std::vector<uint8_t> want(kSize, 0x11);
    std::memcpy(want.data() + 100, data, sizeof data);
    EXPECT_EQ(ReadNow(child.pid, page_address, kSize), want) << "not exactly those 16 bytes at exactly that place";
    uint8_t back[16] = {};
    ASSERT_EQ(vmem_process_watch_read(&watch, page_address + 100, back, sizeof back), 0);
    EXPECT_EQ(std::memcmp(back, data, sizeof data), 0);

    ASSERT_EQ(write(child.say, "e", 1), 1);
    ASSERT_EQ(child.Line(), "occupied");
    EXPECT_TRUE(vmem_process_watch_alive(&watch)) << "same process, new program";
    EXPECT_EQ(vmem_process_watch_write(&watch, page_address + 100, data, sizeof data, false), VMEM_PROCESS_CHANGED);
    EXPECT_EQ(vmem_process_watch_write(&watch, page_address + 200, data, sizeof data, true), VMEM_PROCESS_CHANGED);
    EXPECT_EQ(vmem_process_watch_read(&watch, page_address, back, sizeof back), VMEM_PROCESS_CHANGED);
    EXPECT_EQ(ReadNow(child.pid, page_address, kSize), std::vector<uint8_t>(kSize, 0xEE)) << "written into the new program";
    vmem_process_watch_close(&watch);
}

TEST_F(ProcessWatch, NothingIsWrittenOnceTheTargetHasExited) {
    Forked child;
    ASSERT_GT(child.pid, 0);
    vmem_process_watch watch;
    ASSERT_EQ(vmem_process_watch_open((uint32_t)child.pid, &watch), 0);
    ASSERT_EQ(write(child.say, "x", 1), 1);
    siginfo_t ended;
    ASSERT_EQ(waitid(P_PID, (id_t)child.pid, &ended, WEXITED | WNOWAIT), 0);   // a zombie until reaped
    const uint8_t data[16] = {7};
    EXPECT_EQ(vmem_process_watch_write(&watch, page_address, data, sizeof data, false), VMEM_PROCESS_CHANGED);
    EXPECT_EQ(vmem_process_watch_write(&watch, page_address, data, 0, false), VMEM_PROCESS_CHANGED);
    vmem_process_watch_close(&watch);
}

TEST_F(ProcessWatch, AnUnmappedAddressOfALiveTargetIsAnErrorNotAChange) {
    void *gap = mmap(nullptr, kSize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);   // free once unmapped
    ASSERT_NE(gap, MAP_FAILED);
    munmap(gap, kSize);
    Forked child;
    ASSERT_GT(child.pid, 0);
    vmem_process_watch watch;
    ASSERT_EQ(vmem_process_watch_open((uint32_t)child.pid, &watch), 0);
    const uint8_t data[16] = {7};
    EXPECT_EQ(vmem_process_watch_write(&watch, (uintptr_t)gap, data, sizeof data, false), EFAULT);
    vmem_process_watch_close(&watch);
}

}  // namespace
