// Linux x86-64: a process handle outlives what it opened. (1) The target ends and its pid is given to
// another process; (2) the target execs another program. The handle must notice (remote_target in
// remote/process_buffers.h) and never write into the newcomer, even when it has memory at the very address
// of the old item. The pid is reused on purpose by
// writing the pid before it to /proc/sys/kernel/ns_last_pid just before forking (needs
// CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE; the test is skipped with the reason otherwise).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <string>
#include <vector>

#include "process_buffers_child.h"

namespace {

const buffers_search_settings kFirstTwoGiB = {0, 0x7FFFFFFF, 64};

// Tells the kernel to hand out pid next (in this PID namespace); "" or why it cannot.
std::string NextPidWillBe(pid_t pid) {
    int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return std::string("cannot open /proc/sys/kernel/ns_last_pid: ") + strerror(errno);
    std::string text = std::to_string(pid - 1);
    bool written = write(fd, text.c_str(), text.size()) == (ssize_t)text.size();
    int error = errno;
    close(fd);
    return written ? "" : std::string("cannot write /proc/sys/kernel/ns_last_pid: ") + strerror(error);
}

// size bytes of process pid at address, read through /proc/<pid>/mem (empty on failure).
std::vector<uint8_t> ReadMemory(pid_t pid, uintptr_t address, size_t size) {
    std::vector<uint8_t> bytes(size);
    int fd = open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
    bool read_all = fd >= 0 && pread(fd, bytes.data(), size, (off_t)address) == (ssize_t)size;
    if (fd >= 0) close(fd);
    return read_all ? bytes : std::vector<uint8_t>();
}

// A child that maps [base, base + size) read/write, fills it with 0xEE, tells the parent on ready and
// sleeps: a newcomer with memory where the old target's buffer was.
pid_t StartNewcomer(uintptr_t base, size_t size, int ready) {
    pid_t child = fork();
    if (child == 0) {
        void *at = mmap((void *)base, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (at != MAP_FAILED) memset(at, 0xEE, size);
        char ok = at == MAP_FAILED ? 'n' : 'y';
        if (write(ready, &ok, 1) != 1) _exit(2);
        pause();
        _exit(0);
    }
    return child;
}

// A handle of a target with a buffer got in its first 2 GiB and 8 bytes appended to it.
struct Opened {
    buffers_process *process = nullptr;
    buffers_item *item = nullptr;
    uintptr_t base = 0;
    size_t size = 0;

    void Close() {
        buffers_item_release(item);
        buffers_process_close(process);
    }
};

void OpenAndWrite(pid_t pid, Opened *out) {
    ASSERT_EQ(buffers_process_open((uint32_t)pid, &out->process), BUFFERS_OK) << buffers_last_error();
    ASSERT_EQ(buffers_process_get_buffer(out->process, &kFirstTwoGiB, &out->item), BUFFERS_OK) << buffers_last_error();
    const unsigned char first[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ASSERT_NE(buffers_item_append(out->item, first, sizeof first), 0u) << buffers_last_error();
    out->base = buffers_item_base_address(out->item);
    out->size = buffers_item_size(out->item);
}

// After the target changed: an append through the old item is refused (its message holds
// append_why), a new get is INVALID_ARGUMENT (its message holds get_why, unless null), and the
// newcomer's bytes at the old buffer are still 0xEE.
void ExpectNeverWrittenInto(const Opened &opened, pid_t newcomer, const char *append_why, const char *get_why,
                            const char *newcomer_name, const char *memory_name) {
    const unsigned char second[8] = {9, 9, 9, 9, 9, 9, 9, 9};
    EXPECT_EQ(buffers_item_append(opened.item, second, sizeof second), 0u) << "wrote into " << newcomer_name;
    EXPECT_NE(std::string(buffers_last_error()).find(append_why), std::string::npos) << buffers_last_error();
    buffers_item *another = nullptr;
    EXPECT_EQ(buffers_process_get_buffer(opened.process, &kFirstTwoGiB, &another), BUFFERS_ERROR_INVALID_ARGUMENT);
    if (get_why)
        EXPECT_NE(std::string(buffers_last_error()).find(get_why), std::string::npos) << buffers_last_error();
    std::vector<uint8_t> bytes = ReadMemory(newcomer, opened.base, opened.size);
    ASSERT_EQ(bytes.size(), opened.size);
    EXPECT_EQ(std::vector<uint8_t>(opened.size, 0xEE), bytes) << memory_name << " changed";
}

TEST_F(ProcessBuffers, HandleOfAnEndedTargetNeverWritesIntoTheProcessThatGetsItsPid) {
    Child target({PROCESS_BUFFERS_PEER_PATH, "target", "1", "1"});
    ASSERT_GT(target.pid, 0);
    ASSERT_FALSE(target.Lines("ready").empty());
    Opened opened;
    ASSERT_NO_FATAL_FAILURE(OpenAndWrite(target.pid, &opened));
    uintptr_t base = opened.base;
    size_t size = opened.size;
    pid_t old_pid = target.pid;
    kill(old_pid, SIGKILL);
    target.Wait();

    // The newcomer gets the old pid (other processes of the machine may take it first: try again).
    pid_t newcomer = -1;
    std::string why;
    for (int attempt = 0; attempt < 20 && newcomer != old_pid; attempt++) {
        if (newcomer > 0) {
            kill(newcomer, SIGKILL);
            waitpid(newcomer, nullptr, 0);
        }
        if (!(why = NextPidWillBe(old_pid)).empty()) break;
        int ready[2];
        ASSERT_EQ(pipe(ready), 0);
        newcomer = StartNewcomer(base, size, ready[1]);
        char ok = 0;
        ASSERT_EQ(read(ready[0], &ok, 1), 1);
        close(ready[0]);
        close(ready[1]);
        ASSERT_EQ(ok, 'y') << "the newcomer could not map the old buffer's address";
    }
    if (newcomer != old_pid) {
        opened.Close();
        if (newcomer > 0) {
            kill(newcomer, SIGKILL);
            waitpid(newcomer, nullptr, 0);
        }
        GTEST_SKIP() << "could not give pid " << old_pid << " to a new process here: "
                     << (why.empty() ? "other processes took it" : why);
    }

    ExpectNeverWrittenInto(opened, newcomer, "has exited", "has exited", "the process that got the pid",
                           "the newcomer's memory");
    opened.Close();
    kill(newcomer, SIGKILL);
    waitpid(newcomer, nullptr, 0);
}

// Waits (up to 5 s) until process pid runs the program at path (its /proc/PID/exe).
bool RunsProgram(pid_t pid, const std::string &path) {
    char real[PATH_MAX];
    std::string want = realpath(path.c_str(), real) ? real : path;
    for (int tries = 0; tries < 500; tries++) {
        char exe[PATH_MAX];
        ssize_t n = readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), exe, sizeof exe - 1);
        if (n > 0 && std::string(exe, (size_t)n) == want) return true;
        usleep(10000);
    }
    return false;
}

// A shell waits for a line, then execs the peer's occupy role with it: the new program maps memory
// at the address of the buffer the handle got from the shell. Without the image check, the append
// after the exec lands in it.
TEST_F(ProcessBuffers, HandleOfATargetThatExecsNeverWritesIntoItsNewProgram) {
    Child shell({"/bin/sh", "-c", "read line; exec \"$0\" occupy $line", PROCESS_BUFFERS_PEER_PATH});
    ASSERT_GT(shell.pid, 0);
    ASSERT_TRUE(RunsProgram(shell.pid, "/bin/sh")) << "the shell did not start";
    Opened opened;
    ASSERT_NO_FATAL_FAILURE(OpenAndWrite(shell.pid, &opened));
    uintptr_t base = opened.base;
    size_t size = opened.size;
    shell.Say((std::to_string(base) + " " + std::to_string(size)).c_str());
    auto occupied = shell.Lines("occupied");
    ASSERT_FALSE(occupied.empty());
    ASSERT_EQ(occupied.back(), "occupied\n") << occupied.back();

    ExpectNeverWrittenInto(opened, shell.pid, "replaced its program", nullptr, "the program the target exec'd",
                           "the new program's memory");
    opened.Close();
    shell.Say("exit");
    EXPECT_EQ(shell.Wait(), 0);
}

}  // namespace
