// Linux x86-64: ptrace sessions against targets that race with them (docs/external.md, Limits).
// A child of ours that another thread of ours waits for (that thread takes our ptrace stops), and
// targets opened while they are still between fork and execve: every call returns in bounded time,
// with success or a clear error, and the target is left running, untraced and as it was.
#include <gtest/gtest.h>

#include <sched.h>
#include <sys/syscall.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>

#include "process_runner.h"
#include "remote_process.h"
#include "test_support.h"

extern "C" {
#include "os/linux/remote/ptrace.h"
}

namespace {
using namespace remote_process;

// Aborts the whole test program if not disarmed within seconds: a hang must fail, not stall ctest.
class Watchdog {
  public:
    Watchdog(int seconds, std::string what) : thread_([this, seconds, what] {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!done_.wait_for(lock, std::chrono::seconds(seconds), [this] { return disarmed_; })) {
            fprintf(stderr, "FAILED: %s did not return within %d s (a hung ptrace session)\n", what.c_str(), seconds);
            std::abort();
        }
    }) {}
    ~Watchdog() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            disarmed_ = true;
        }
        done_.notify_all();
        thread_.join();
    }

  private:
    std::mutex mutex_;
    std::condition_variable done_;
    bool disarmed_ = false;
    std::thread thread_;
};

pid_t Spawn(const std::vector<const char *> &argv) {
    pid_t child = fork();
    if (child == 0) {
        execv(argv[0], const_cast<char *const *>(argv.data()));
        _exit(127);
    }
    return child;
}

// The target is running untraced: no tracer, not in a stop.
void ExpectLeftRunning(pid_t pid, const std::string &after) {
    EXPECT_EQ(StatusField(pid, "TracerPid:"), "0") << "still traced after " << after;
    char state = StateOf(pid);
    EXPECT_TRUE(state != 't' && state != 'T' && state != 0) << "state '" << state << "' after " << after;
}

class RemoteRaces : public RemoteScratchRoot {};

// The error a call may give when our stop was taken: it must say so (or that the stop timed out).
void ExpectSuccessOrTakenStop(buffers_status status, const std::string &call) {
    if (status == BUFFERS_OK) return;
    std::string text = buffers_last_error();
    EXPECT_TRUE(text.find("another thread of this process") != std::string::npos ||
                text.find("timed out") != std::string::npos)
        << call << ": " << buffers_status_name(status) << ": " << text;
}

// One round of the three kinds of call against pid; the target's map is unchanged where one failed.
void OneRound(pid_t pid) {
    char why[384];
    std::string before = Maps(pid);
    vmem_process_access access = vmem_check_other_process((uint32_t)pid, why, sizeof why);
    EXPECT_TRUE(access == VMEM_PROCESS_ACCESSIBLE || (access == VMEM_PROCESS_UNSUPPORTED &&
                                                      strstr(why, "another thread of this process")))
        << access << ": " << why;
    if (access != VMEM_PROCESS_ACCESSIBLE) EXPECT_EQ(Maps(pid), before);
    ExpectLeftRunning(pid, "vmem_check_other_process");

    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.target_process_id = (uint32_t)pid;
    buffers_private_allocation block = {};
    before = Maps(pid);
    buffers_status status = buffers_allocate_private_memory(&a, &block);
    ExpectSuccessOrTakenStop(status, "allocate");
    ExpectLeftRunning(pid, "buffers_allocate_private_memory");
    if (status == BUFFERS_OK) {
        EXPECT_NE(MapsLineAt(Maps(pid), block.base_address), "");
        ExpectSuccessOrTakenStop(buffers_free_private_memory(&block), "free");
        ExpectLeftRunning(pid, "buffers_free_private_memory");
    } else {
        EXPECT_EQ(Maps(pid), before);
    }

    buffers_process *process = nullptr;
    before = Maps(pid);
    status = buffers_process_open((uint32_t)pid, &process);
    ExpectSuccessOrTakenStop(status, "open");
    ExpectLeftRunning(pid, "buffers_process_open");
    if (status != BUFFERS_OK) {
        EXPECT_EQ(Maps(pid), before);
        return;
    }
    buffers_search_settings settings = {0, kTwoGiB, 64};
    buffers_item *item = nullptr;
    status = buffers_process_get_buffer(process, &settings, &item);
    ExpectSuccessOrTakenStop(status, "get_buffer");
    if (status == BUFFERS_OK) {
        const uint8_t bytes[] = {0x5A, 0xA5, 0x0F};
        uintptr_t at = buffers_item_append(item, bytes, sizeof bytes);
        EXPECT_NE(at, 0u) << buffers_last_error();
        if (at) EXPECT_EQ(ReadThroughProcMem(pid, at, sizeof bytes), std::vector<uint8_t>(bytes, bytes + 3));
        buffers_item_release(item);
    }
    ExpectLeftRunning(pid, "buffers_process_get_buffer");
    buffers_process_close(process);
}

// The vfork child: blocks reading fd, then exits, never touching the parent's stack.
int WaitForGoThenExit(void *fd) {
    char byte;
    syscall(SYS_read, (int)(intptr_t)fd, &byte, 1);
    syscall(SYS_exit, 0);
    return 0;
}

}  // namespace

// A target that cannot stop: its only thread waits for a vfork child (a killable sleep, which
// PTRACE_INTERRUPT does not end). The call times out, and since only a stopped tracee can be
// detached by request, the tracer thread's end lets it go: once its child is done, it runs on.
TEST_F(RemoteRaces, TargetThatNeverStopsTimesOutAndIsLetGo) {
    int go[2];
    ASSERT_EQ(pipe(go), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(go[1]);
        static char stack[64 * 1024];
        pid_t child = clone(WaitForGoThenExit, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD,
                            (void *)(intptr_t)go[0]);
        int status = 0;
        _exit(child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) ? 7 : 1);
    }
    close(go[0]);
    ASSERT_GT(pid, 0);
    for (int i = 0; i < 3000 && StateOf(pid) != 'D'; i++) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_EQ(StateOf(pid), 'D') << "the target never waited for its vfork child";
    {
        Watchdog watchdog(120, "a session against a target that never stops");
        char why[384] = "";
        Clock::time_point start = Clock::now();
        vmem_process_access access = vmem_check_other_process((uint32_t)pid, why, sizeof why);
        double took = std::chrono::duration<double>(Clock::now() - start).count();
        EXPECT_EQ(access, VMEM_PROCESS_UNSUPPORTED) << why;
        EXPECT_NE(strstr(why, "timed out"), nullptr) << why;
        EXPECT_GE(took, 5.0);
    }
    for (int i = 0; i < 200 && StatusField(pid, "TracerPid:") != "0"; i++)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(StatusField(pid, "TracerPid:"), "0") << "still traced after the call returned";
    ASSERT_EQ(write(go[1], "g", 1), 1);
    close(go[1]);
    for (int i = 0; i < 3000 && StateOf(pid) != 'Z'; i++) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(StateOf(pid), 'Z') << "did not run on after its vfork child ended (state " << StateOf(pid) << ")";
    kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7) << status;
}

// A second thread of ours waits for our child as its parent must (a JVM's process reaper does).
// From a warden thread (Yama's ptrace_scope 1 forces it) that thread takes the ptrace stops of our
// sessions; before the bounded waits, a session then hung. A warden process is not the child's
// parent: the waiting thread sees no stop at all.
static void StopsOfAChildAnotherThreadWaitsFor(bool warden_thread) {
    ptrace_sessions_use_thread(warden_thread);
    pid_t pid = Spawn({"/bin/sleep", "60", nullptr});
    ASSERT_GT(pid, 0);
    std::atomic<int> stops_taken{0}, final_status{-1};
    std::thread reaper([pid, &stops_taken, &final_status] {
        for (int status;;) {
            pid_t got = waitpid(pid, &status, 0);
            if (got < 0 && errno == EINTR) continue;
            if (got == pid && WIFSTOPPED(status)) {
                stops_taken++;
                continue;
            }
            final_status = got == pid ? status : -2;
            return;
        }
    });
    {
        Watchdog watchdog(300, "a session against a child another thread waits for");
        for (int i = 0; i < 3000 && ReadFile("/proc/" + std::to_string(pid) + "/syscall").rfind(
                                        std::to_string(SYS_clock_nanosleep) + " ", 0) != 0; i++)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        for (int round = 0; round < 20 && !::testing::Test::HasFailure(); round++) OneRound(pid);
    }
    ptrace_sessions_use_thread(false);
    if (warden_thread) EXPECT_GT(stops_taken.load(), 0) << "the waiting thread never took a stop: the race was not exercised";
    else EXPECT_EQ(stops_taken.load(), 0) << "the parent's waiting thread saw the stops of a warden process's session";
    ExpectLeftRunning(pid, "all rounds");
    kill(pid, SIGTERM);
    reaper.join();
    EXPECT_TRUE(WIFSIGNALED(final_status.load()) && WTERMSIG(final_status.load()) == SIGTERM) << final_status.load();
}

TEST_F(RemoteRaces, StopsTakenByAnotherWaitingThreadNeverHangAndLeaveTheChildRunning) {
    StopsOfAChildAnotherThreadWaitsFor(true);
}

TEST_F(RemoteRaces, AWardenProcessesStopsNeverReachTheParentsWaitingThread) {
    StopsOfAChildAnotherThreadWaitsFor(false);
}

// Targets opened the moment they were forked, still running our code or inside execve (directly,
// or through sh): a call succeeds or fails, but never leaves the target stopped or traced, and
// never calls a live process missing; SIGTERM then ends it.
TEST_F(RemoteRaces, TargetsOpenedRightAfterForkAreLeftRunning) {
    Watchdog watchdog(600, "sessions against freshly forked targets");
    for (int round = 0; round < 200 && !HasFailure(); round++) {
        pid_t pid = round % 2 ? Spawn({"/bin/sh", "-c", "exec sleep 30", nullptr})
                              : Spawn({"/bin/sleep", "30", nullptr});
        ASSERT_GT(pid, 0);
        std::string call = round % 4 < 2 ? "buffers_process_open" : "vmem_check_other_process";
        if (round % 4 < 2) {
            buffers_process *process = nullptr;
            buffers_status status = buffers_process_open((uint32_t)pid, &process);
            if (status == BUFFERS_OK) buffers_process_close(process);
            else EXPECT_EQ(std::string(buffers_last_error()).find("no such process"), std::string::npos)
                     << "round " << round << ": " << buffers_last_error();
        } else {
            char why[384] = "";
            vmem_process_access access = vmem_check_other_process((uint32_t)pid, why, sizeof why);
            EXPECT_NE(access, VMEM_PROCESS_MISSING) << "round " << round << ": " << why;
        }
        ExpectLeftRunning(pid, call + " in round " + std::to_string(round));
        kill(pid, SIGTERM);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << "round " << round << ": " << status;
    }
}
