// Trust and liveness of the locator file (docs/locator-security.md): planted files that once hung or
// crashed the first call, PID reuse within one process image chain, the same PID in two PID
// namespaces, and roots too long for the paths built from them.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <string>

#include "process_runner.h"

namespace {
const std::string kProbe = std::string(HELPER_LAUNCHER) + LOCATOR_PROBE_PATH;
const std::string kPrefix = "Reloaded.Memory.Buffers.MemoryBuffer, PID ";

class LocatorTrust : public ScratchRoot {
protected:
    void MakeSharedDir() {
        ASSERT_EQ(mkdir((root + "/.reloaded").c_str(), 01777), 0);
        ASSERT_EQ(chmod((root + "/.reloaded").c_str(), 01777), 0);
        ASSERT_EQ(mkdir(SharedDir().c_str(), 01777), 0);
        ASSERT_EQ(chmod(SharedDir().c_str(), 01777), 0);
    }
    std::string PerUserDir() const { return root + "/.reloaded-" + std::to_string(geteuid()) + "/memory.buffers"; }
};

// Forks a process that waits for a byte on its pipe, then runs the probe (stdout to out_fd).
pid_t StartProbeOnSignal(const std::string &root, int *go_fd, int out_fd) {
    int go[2];
    if (pipe(go) != 0) return -1;
    pid_t child = fork();
    if (child == 0) {
        close(go[1]);
        char byte;
        if (read(go[0], &byte, 1) != 1) _exit(90);
        dup2(out_fd, 1);
        dup2(out_fd, 2);
        setenv("BUFFERS_SHARED_ROOT", root.c_str(), 1);
        // exec all the way down (shell, then the emulator of a cross build): the PID stays the victim's.
        std::string command = "exec " + kProbe + " plain";
        execl("/bin/sh", "sh", "-c", command.c_str(), (char *)nullptr);
        _exit(91);
    }
    close(go[0]);
    *go_fd = go[1];
    return child;
}

// Waits up to limit for child; kills it if it is still running. Returns its exit code (-1: killed).
int WaitAtMost(pid_t child, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (waitpid(child, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            return -1;
        }
        usleep(2000);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadPipe(int fd) {
    std::string text;
    char chunk[512];
    for (ssize_t n; (n = read(fd, chunk, sizeof chunk)) > 0;) text.append(chunk, (size_t)n);
    return text;
}

// Runs the probe as a victim whose own file plant() prepared (in a forked planter that keeps running
// until the victim is done); returns its result and how long its run took.
RunResult RunVictim(const std::string &root, const std::string &dir, int (*plant)(const std::string &file),
                    long *took_ms) {
    int out[2], ready[2], go = -1;
    if (pipe(out) != 0 || pipe(ready) != 0) return {-2, "pipe failed"};
    pid_t victim = StartProbeOnSignal(root, &go, out[1]);
    std::string file = dir + "/" + kPrefix + std::to_string(victim);
    pid_t planter = fork();
    if (planter == 0) {
        int failed = plant(file);
        if (failed || write(ready[1], "r", 1) != 1) _exit(failed ? failed : 82);
        pause();
        _exit(0);
    }
    char byte;
    if (read(ready[0], &byte, 1) != 1) {
        close(go);
        return {-3, "the planter could not plant and lock " + file};
    }
    auto start = std::chrono::steady_clock::now();
    int code = write(go, "g", 1) == 1 ? WaitAtMost(victim, std::chrono::seconds(10)) : -4;
    *took_ms = (long)std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
                   .count();
    kill(planter, SIGKILL);
    waitpid(planter, nullptr, 0);
    close(out[1]);
    RunResult run{code, ReadPipe(out[0])};
    close(out[0]);
    return run;
}

int PlantAsNobodyAndFlock(const std::string &file) {
    if (setgid(65534) != 0 || setuid(65534) != 0) return 80;
    int fd = open(file.c_str(), O_RDWR | O_CREAT | O_EXCL, 0666);
    return fd < 0 || fchmod(fd, 0666) != 0 || flock(fd, LOCK_EX) != 0 ? 81 : 0;
}

// A file of our own whose setup byte another process keeps locked (a stuck copy, or a same-user
// process interfering): trusted by type and owner, but not waited for without a bound.
int PlantOwnAndHoldSetupLock(const std::string &file) {
    int fd = open(file.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    struct flock lock = {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = 1;   // the setup byte
    lock.l_len = 1;
    return fd < 0 || fcntl(fd, 37 /* F_OFD_SETLK */, &lock) != 0 ? 83 : 0;
}
}  // namespace

// Another user plants the victim's file (mode 0666) and holds flock -x on it: the victim must not
// wait for a stranger's lock; it falls back to its per-user directory at once.
TEST_F(LocatorTrust, PlantedLockedFileOfAnotherUserDoesNotDelayTheFirstCall) {
    ASSERT_EQ(geteuid(), 0u) << "this test plants a file as user nobody: it must run as root";
    ASSERT_EQ(chmod(root.c_str(), 0755), 0);   // nobody must reach the shared directory
    MakeSharedDir();
    long took_ms = 0;
    RunResult run = RunVictim(root, SharedDir(), PlantAsNobodyAndFlock, &took_ms);
    ASSERT_EQ(run.exit_code, 0) << "the victim hung (killed after 10 s) or failed: " << run.output;
    EXPECT_LT(took_ms, 1000) << "the first call waited on the planted lock";
    EXPECT_EQ(run.Field("dir"), PerUserDir()) << run.output;
}

TEST_F(LocatorTrust, SetupLockHeldTooLongFallsBackWithinTheBound) {
    MakeSharedDir();
    long took_ms = 0;
    RunResult run = RunVictim(root, SharedDir(), PlantOwnAndHoldSetupLock, &took_ms);
    ASSERT_EQ(run.exit_code, 0) << "the victim hung (killed after 10 s) or failed: " << run.output;
    EXPECT_GE(took_ms, 450) << "gave up before the bound: a copy mid-setup would be left";
    EXPECT_LT(took_ms, 3000) << "waited far past the 500 ms bound";
    EXPECT_EQ(run.Field("dir"), PerUserDir()) << run.output;
}

// The planted file names the very address where the call's own mapping of it lands: that mapping
// is no evidence of a live locator (it used to be adopted, then unmapped: SIGSEGV).
TEST_F(LocatorTrust, PlantedFileNamingTheCallsOwnMappingIsNotAdopted) {
    RunResult run = RunWithRoot(root, kProbe + " own-address");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    if (run.Field("locator") != run.Field("planted") && std::string(HELPER_LAUNCHER).size())
        GTEST_SKIP() << "the emulator mapped memory of its own between the prediction and the call";
    EXPECT_EQ(run.Field("locator"), run.Field("planted")) << "the scenario did not happen: " << run.output;
    EXPECT_EQ(run.Field("file_this"), run.Field("locator")) << run.output;
    EXPECT_EQ(run.Field("dir"), SharedDir());
}

// A program that execs itself with address randomisation off: each image's mapping lands where the
// previous image's did, and the file the previous image left records exactly that address.
TEST_F(LocatorTrust, ExecSelfWithoutRandomisationWorksForEveryImage) {
    if (std::string(HELPER_LAUNCHER).size()) GTEST_SKIP() << "an emulated helper cannot exec itself";
    RunResult run = RunWithRoot(root, kProbe + " exec-chain 4");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    std::string first = run.Field("locator");
    size_t images = 0;
    for (size_t at = run.output.find("locator="); at != std::string::npos; at = run.output.find("locator=", at + 1)) {
        size_t start = at + 8, end = run.output.find(' ', start);
        EXPECT_EQ(run.output.substr(start, end - start), first) << "image " << images << ": " << run.output;
        images++;
    }
    EXPECT_EQ(images, 4u) << run.output;
}

// Two processes, both PID 1 in PID namespaces of their own, share one directory: the second must not
// take the first's live file (it used to reset it in place, under the first's mapping).
TEST_F(LocatorTrust, SamePidInAnotherNamespaceNeverTouchesTheLiveFile) {
#if defined(__APPLE__)
    GTEST_SKIP() << "macOS has no PID namespaces";
#endif
    RunResult run = RunWithRoot(root, std::string(HELPER_LAUNCHER) + PID_NAMESPACE_PAIR_PATH);
    ASSERT_EQ(run.Field("missing"), "") << "cannot run: " << run.output;
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("a_intact"), "1") << run.output;
    EXPECT_NE(run.Field("b_locator"), "") << run.output;
    struct stat st;
    EXPECT_EQ(stat((SharedDir() + "/" + kPrefix + "1 #2").c_str(), &st), 0) << "B used the derived name";
}

// A long root still works, and the stale-file sweep still finds its directory (a 400-byte buffer
// used to cut the path, so the sweep looked elsewhere).
TEST_F(LocatorTrust, LongRootKeepsTheStaleFileSweepWorking) {
    std::string deep = root;
    for (int i = 0; i < 4; i++) {
        deep += "/" + std::string(120, 'd');
        ASSERT_EQ(mkdir(deep.c_str(), 0755), 0);
    }
    ASSERT_GT(deep.size(), 480u);
    ASSERT_EQ(mkdir((deep + "/.reloaded").c_str(), 01777), 0);
    ASSERT_EQ(mkdir((deep + "/.reloaded/memory.buffers").c_str(), 01777), 0);
    pid_t dead = fork();
    if (dead == 0) _exit(0);
    waitpid(dead, nullptr, 0);
    std::string stale = deep + "/.reloaded/memory.buffers/" + kPrefix + std::to_string(dead);
    ASSERT_EQ(close(open(stale.c_str(), O_CREAT | O_WRONLY, 0600)), 0);
    RunResult run = RunWithRoot(deep, kProbe + " plain");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("dir"), deep + "/.reloaded/memory.buffers");
    struct stat st;
    EXPECT_NE(stat(stale.c_str(), &st), 0) << "the dead process's file under the long root stayed";
}

// A root too long for the paths built from it is refused with a clear error, never cut.
TEST_F(LocatorTrust, RootTooLongIsRefusedNamingTheLimit) {
    std::string deep = root;
    while (deep.size() < 1100) {
        deep += "/" + std::string(200, 'e');
        ASSERT_EQ(mkdir(deep.c_str(), 0755), 0);
    }
    RunResult run = RunWithRoot(deep, kProbe + " plain");
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("BUFFERS_ERROR_LOCATOR"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("limit of 1023"), std::string::npos) << run.output;
}
