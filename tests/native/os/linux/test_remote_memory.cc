// Linux: private memory in another process that never loaded the library (system calls run in it
// under ptrace, bytes moved with process_vm_writev/readv). The targets are `sleep` (blocked in a
// sleep) and remote_target (threads running, main thread blocked in read()); each must be left
// exactly as it was and keep working.
#include <gtest/gtest.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "remote_process.h"
#include "test_support.h"

extern "C" {
#include "os/vmem_other.h"
}

namespace {
using namespace remote_process;

class RemoteMemory : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why = WhyNotHere();
        if (!why.empty()) GTEST_SKIP() << why;
    }

    // Allocates size bytes in [min, max] of pid, writes a pattern through the library, reads it back
    // through /proc/<pid>/mem and the library, frees it, and checks the memory map is as before.
    void AllocateUseAndFree(pid_t pid, uintptr_t min, uintptr_t max, uint32_t size) {
        std::string before = Maps(pid);
        buffers_allocator_settings a = buffers_allocator_settings_default();
        a.min_address = min;
        a.max_address = max;
        a.size = size;
        a.target_process_id = (uint32_t)pid;
        buffers_private_allocation block;
        ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
        EXPECT_EQ(block.process_id, (uint32_t)pid);
        EXPECT_GE(block.base_address, min);
        EXPECT_LE(block.base_address + block.size - 1, max);
        EXPECT_EQ(block.size % buffers_allocation_granularity(), 0u);
        EXPECT_GE(block.size, size);
        std::string line = MapsLineAt(Maps(pid), block.base_address);
        EXPECT_NE(line.find(" rwxp "), std::string::npos) << "no rwx mapping at the block in: " << line;

        std::vector<uint8_t> pattern(block.size);
        for (size_t i = 0; i < pattern.size(); i++) pattern[i] = (uint8_t)(i * 7 + 3);
        ASSERT_EQ(vmem_write_other((uint32_t)pid, block.base_address, pattern.data(), pattern.size()), 0);
        EXPECT_EQ(ReadThroughProcMem(pid, block.base_address, block.size), pattern);
        const uint8_t code[] = {0x90, 0x90, 0xC3, 0xD4};   // any bytes: the copy is what is tested
        std::copy(code, code + sizeof code, pattern.begin() + 16);
        ASSERT_EQ(vmem_write_code_other((uint32_t)pid, block.base_address + 16, code, sizeof code), 0);
        std::vector<uint8_t> back(block.size);
        ASSERT_EQ(vmem_read_other((uint32_t)pid, block.base_address, back.data(), back.size()), 0);
        EXPECT_EQ(back, pattern);

        ASSERT_EQ(buffers_free_private_memory(&block), BUFFERS_OK) << buffers_last_error();
        EXPECT_EQ(Maps(pid), before) << "the target's memory map changed";
    }
};
}  // namespace

TEST_F(RemoteMemory, SleepingProcessGetsMemoryAndSleepsOnUndisturbed) {
    Child sleeper({"sleep", "5"});
    ASSERT_GT(sleeper.pid(), 0);
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep)) << "sleep never blocked in clock_nanosleep";
    AllocateUseAndFree(sleeper.pid(), 0x10000000, kTwoGiB, 10000);
    AllocateUseAndFree(sleeper.pid(), buffers_max_address() / 2, buffers_max_address(), 4096);
    int status = sleeper.Wait();
    // An interrupted sleep that was not restarted makes sleep fail early with a strange errno.
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
    EXPECT_GE(sleeper.SecondsSinceStart(), 4.9) << "the sleep was cut short";
}

TEST_F(RemoteMemory, ThreadedProcessBlockedInReadKeepsWorking) {
    Child target({REMOTE_TARGET_PATH});
    ASSERT_GT(target.pid(), 0);
    ASSERT_EQ(target.ReadLine(), "ready");
    ASSERT_TRUE(target.WaitUntilBlockedIn(SYS_read)) << "the main thread never blocked in read()";
    AllocateUseAndFree(target.pid(), 0x10000000, kTwoGiB, 3 * 4096);
    ASSERT_TRUE(target.Write("hello\n"));
    EXPECT_EQ(target.ReadLine(), "got hello") << "the interrupted read() did not get the data written later";
    int status = target.Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
}

TEST_F(RemoteMemory, OccupiedAddressIsRefusedWithoutTouchingTheMapping) {
    Child sleeper({"sleep", "30"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    std::string before = Maps(sleeper.pid());
    uintptr_t taken = std::stoull(before.substr(0, before.find('-')), nullptr, 16);   // its first mapping
    EXPECT_EQ(vmem_reserve_at((uint32_t)sleeper.pid(), taken, buffers_allocation_granularity()), EEXIST);
    EXPECT_EQ(Maps(sleeper.pid()), before);
    EXPECT_EQ(kill(sleeper.pid(), 0), 0) << "the target died";
}

// Needs no ptrace: runs under qemu-user too.
TEST(RemoteMemoryAnywhere, ProcessThatDoesNotExistIsAnInvalidArgument) {
    if (!vmem_supports_other_processes()) GTEST_SKIP() << kUnsupportedBuild;
    pid_t gone = fork();
    if (gone == 0) _exit(0);
    ASSERT_EQ(waitpid(gone, nullptr, 0), gone);
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.target_process_id = (uint32_t)gone;
    buffers_private_allocation block;
    ExpectFailure(buffers_allocate_private_memory(&a, &block), BUFFERS_ERROR_INVALID_ARGUMENT, "no such process");
}

TEST_F(RemoteMemory, FreeingInAnEndedProcessIsAnError) {
    Child sleeper({"sleep", "30"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.target_process_id = (uint32_t)sleeper.pid();
    buffers_private_allocation block;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
    kill(sleeper.pid(), SIGKILL);
    sleeper.Wait();
    ExpectFailure(buffers_free_private_memory(&block), BUFFERS_ERROR_INVALID_ARGUMENT, "No such process");
    EXPECT_NE(block.base_address, 0u) << "a failed free keeps the allocation";
}

TEST_F(RemoteMemory, UnprivilegedCallerIsRefusedWithTheReasonAndTargetIsUnchanged) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root, to run the caller as another user (nobody)";
    Child sleeper({"sleep", "30"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    std::string before = Maps(sleeper.pid());
    std::string text = RunAsNobody([&] {   // ask for memory in root's process
        buffers_allocator_settings a = buffers_allocator_settings_default();
        a.target_process_id = (uint32_t)sleeper.pid();
        buffers_private_allocation block;
        int status = buffers_allocate_private_memory(&a, &block);
        return std::to_string(status) + " " + buffers_last_error();
    });
    EXPECT_EQ(text.rfind(std::to_string(BUFFERS_ERROR_PERMISSION) + " ", 0), 0u) << text;
    EXPECT_NE(text.find("BUFFERS_ERROR_PERMISSION"), std::string::npos) << text;
    EXPECT_NE(text.find("runs as user 0"), std::string::npos) << text;
    EXPECT_NE(text.find("CAP_SYS_PTRACE"), std::string::npos) << text;
    EXPECT_EQ(Maps(sleeper.pid()), before);
    std::string stat = ReadFile("/proc/" + std::to_string(sleeper.pid()) + "/stat");
    EXPECT_NE(stat.find(") S "), std::string::npos) << "not asleep as before: " << stat;
}

// Where ptrace is missing (qemu-user, a seccomp filter), the answer says so.
TEST(RemoteMemoryAnywhere, WithoutPtraceTheReasonIsGiven) {
    if (!vmem_supports_other_processes()) GTEST_SKIP() << kUnsupportedBuild;
    if (PtraceError() != ENOSYS) GTEST_SKIP() << "ptrace is present here (the RemoteMemory tests use it)";
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.target_process_id = (uint32_t)child;
    buffers_private_allocation block;
    ExpectFailure(buffers_allocate_private_memory(&a, &block), BUFFERS_ERROR_UNSUPPORTED, "ptrace is not available");
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
}

TEST_F(RemoteMemory, StoppedProcessGetsMemoryAndStaysStopped) {
    Child sleeper({"sleep", "3"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    ASSERT_EQ(kill(sleeper.pid(), SIGSTOP), 0);
    int status;
    ASSERT_EQ(waitpid(sleeper.pid(), &status, WUNTRACED), sleeper.pid());
    ASSERT_TRUE(WIFSTOPPED(status));
    AllocateUseAndFree(sleeper.pid(), 0x10000000, kTwoGiB, 4096);
    // Detaching wakes the thread, which then re-enters the job-control stop (briefly "R").
    std::string stat;
    for (int i = 0; i < 1000 && stat.find(") T ") == std::string::npos; i++) {
        if (i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        stat = ReadFile("/proc/" + std::to_string(sleeper.pid()) + "/stat");
    }
    EXPECT_NE(stat.find(") T "), std::string::npos) << "not stopped again within 10 s: " << stat;
    ASSERT_EQ(kill(sleeper.pid(), SIGCONT), 0);
    status = sleeper.Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
}

TEST_F(RemoteMemory, ThreadsOfOneCallerTakeTurnsOnTheSameTarget) {
    Child target({REMOTE_TARGET_PATH});
    ASSERT_EQ(target.ReadLine(), "ready");
    std::string before = Maps(target.pid());
    ThreadFailures failures;
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; t++)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 5; round++) {
                buffers_allocator_settings a = buffers_allocator_settings_default();
                a.min_address = 0x10000000;
                a.max_address = kTwoGiB;
                a.target_process_id = (uint32_t)target.pid();
                buffers_private_allocation block;
                buffers_status status = buffers_allocate_private_memory(&a, &block);
                if (status != BUFFERS_OK) {
                    failures.Record(t, round, "allocate", status);
                    continue;
                }
                if ((status = buffers_free_private_memory(&block)) != BUFFERS_OK) failures.Record(t, round, "free", status);
            }
        });
    for (std::thread &thread : threads) thread.join();
    EXPECT_EQ(failures.Count(), 0u) << failures.Describe();
    EXPECT_EQ(Maps(target.pid()), before);
    ASSERT_TRUE(target.Write("still here\n"));
    EXPECT_EQ(target.ReadLine(), "got still here");
}
