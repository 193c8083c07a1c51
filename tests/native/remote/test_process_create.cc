// Linux x86-64: buffers_process_open on a process that never used the library creates its locator
// there (vmem_shared_create_in_other; docs/external.md "A target without a locator"). A plain sleep
// gets buffers and sleeps on; a program that uses the library only afterwards adopts that locator
// and sees the buffers written from outside; every failure leaves the target as it was; a stale
// file under the target's name is replaced, never reused.
#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <algorithm>
#include <set>
#include <thread>

#include "full_fs.h"
#include "process_runner.h"
#include "remote_process.h"
#include "test_support.h"

namespace {
using namespace remote_process;

const char kName[] = "Reloaded.Memory.Buffers.MemoryBuffer, PID ";

// Each open descriptor of pid with what it names, sorted.
std::set<std::string> Descriptors(pid_t pid) {
    std::set<std::string> found;
    std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR *listing = opendir(dir.c_str());
    if (!listing) return found;
    for (dirent *entry; (entry = readdir(listing)) != nullptr;) {
        char target[512] = {};
        std::string link = dir + "/" + entry->d_name;
        if (readlink(link.c_str(), target, sizeof target - 1) >= 0) found.insert(std::string(entry->d_name) + " " + target);
    }
    closedir(listing);
    return found;
}

// True while some open of the file holds a lock on byte (0: the "alive" lock, 1: "setup").
bool LockHeld(const std::string &path, off_t byte = 0) {
    int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    struct flock probe = {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    probe.l_start = byte;
    probe.l_len = 1;
    bool held = fd >= 0 && fcntl(fd, F_OFD_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
    if (fd >= 0) close(fd);
    return held;
}

uintptr_t FirstWord(int fd) {
    uintptr_t word = 0;
    return pread(fd, &word, sizeof word, 0) == (ssize_t)sizeof word ? word : 0;
}

std::string Hex(uintptr_t value) {
    char text[32];
    snprintf(text, sizeof text, "%#lx", (unsigned long)value);
    return text;
}

// True once pid sleeps (state S) again, waiting up to 30 s: a restarted sleep shows restart_syscall.
bool Asleep(pid_t pid) {
    for (int i = 0; i < 3000; i++) {
        if (ReadFile("/proc/" + std::to_string(pid) + "/stat").find(") S ") != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

class ProcessCreate : public RemoteScratchRoot {
  protected:
    std::string LocatorPath(pid_t pid) const { return SharedDir() + "/" + kName + std::to_string(pid); }

    // A file planted under pid's name: 4096 bytes, first word recorded; its descriptor stays open.
    int Plant(pid_t pid, uintptr_t recorded) {
        EXPECT_EQ(mkdir((root + "/.reloaded").c_str(), 0755), 0);
        EXPECT_EQ(mkdir(SharedDir().c_str(), 0755), 0);
        int fd = open(LocatorPath(pid).c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        EXPECT_GE(fd, 0) << strerror(errno);
        std::vector<uint8_t> bytes(4096, 0xA5);
        memcpy(bytes.data(), &recorded, sizeof recorded);
        EXPECT_EQ(pwrite(fd, bytes.data(), bytes.size(), 0), (ssize_t)bytes.size());
        return fd;
    }

    // Opening pid fails with status naming fragment; its map and descriptors are as before.
    void ExpectRefusedAndUnchanged(pid_t pid, buffers_status status, const std::string &fragment) {
        std::string maps = Maps(pid);
        std::set<std::string> descriptors = Descriptors(pid);
        buffers_process *process = reinterpret_cast<buffers_process *>(1);
        ExpectFailure(buffers_process_open((uint32_t)pid, &process), status, fragment);
        EXPECT_EQ(process, nullptr);
        EXPECT_EQ(Maps(pid), maps) << "the target's memory map changed";
        EXPECT_EQ(Descriptors(pid), descriptors) << "the target's descriptors changed";
        EXPECT_TRUE(Asleep(pid)) << "not asleep as before";
    }
};

// The scratch root is a small tmpfs the test fills (issue 16, point 1).
class ProcessCreateFullFs : public ProcessCreate {
  protected:
    void SetUp() override {
        ProcessCreate::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        std::string why = fs.Mount(root);
        if (!why.empty()) GTEST_SKIP() << why;
    }
    void TearDown() override {
        fs.Unmount();
        ProcessCreate::TearDown();
    }
    FullFs fs;
};

// Gets a buffer in [settings] of process, appends bytes, checks them through /proc/<pid>/mem.
uintptr_t AppendThere(buffers_process *process, pid_t pid, buffers_search_settings settings,
                      const std::vector<uint8_t> &bytes) {
    buffers_item *item = nullptr;
    EXPECT_EQ(buffers_process_get_buffer(process, &settings, &item), BUFFERS_OK) << buffers_last_error();
    if (!item) return 0;
    uintptr_t at = buffers_item_append(item, bytes.data(), bytes.size());
    EXPECT_NE(at, 0u) << buffers_last_error();
    EXPECT_GE(at, settings.min_address);
    EXPECT_LE(at + bytes.size() - 1, settings.max_address);
    EXPECT_EQ(ReadThroughProcMem(pid, at, bytes.size()), bytes);
    buffers_item_release(item);
    return at;
}

}  // namespace

TEST_F(ProcessCreate, PlainSleepGetsALocatorAndBuffersAndSleepsOn) {
    Child sleeper({"sleep", "10"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep)) << "sleep never blocked in clock_nanosleep";
    pid_t pid = sleeper.pid();
    std::set<std::string> descriptors = Descriptors(pid);
    buffers_process *process = nullptr;
    ASSERT_EQ(buffers_process_open((uint32_t)pid, &process), BUFFERS_OK) << buffers_last_error();
    std::vector<uint8_t> low = {1, 2, 3, 4, 5, 6, 7, 8, 9}, near = {0xC3, 0x90, 0xCC};
    EXPECT_NE(AppendThere(process, pid, {0, kTwoGiB, 64}, low), 0u);
    uintptr_t image = 0;
    ASSERT_EQ(sscanf(Maps(pid).c_str(), "%lx-", &image), 1);
    uintptr_t at = AppendThere(process, pid, buffers_search_settings_from_proximity(0x7FFFFFFF, image, 64), near);
    EXPECT_LE(at > image ? at - image : image - at, 0x7FFFFFFFu) << Hex(at) << " is not near " << Hex(image);
    buffers_process_close(process);

    int fd = open(LocatorPath(pid).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0) << "no locator file: " << strerror(errno);
    struct stat st;
    ASSERT_EQ(fstat(fd, &st), 0);
    uintptr_t recorded = FirstWord(fd);
    close(fd);
    std::string line = MapsLineAt(Maps(pid), recorded);
    EXPECT_NE(line.find(" rw-s 00000000 "), std::string::npos) << Hex(recorded) << ": " << line;
    EXPECT_NE(line.find(" " + std::to_string(st.st_ino) + " "), std::string::npos) << line;
    EXPECT_TRUE(LockHeld(LocatorPath(pid))) << "the target does not hold its file alive";
    EXPECT_EQ(Descriptors(pid), descriptors) << "a descriptor was left open in the target";
    EXPECT_TRUE(Asleep(pid)) << "not asleep as before";
    int status = sleeper.Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_GE(sleeper.SecondsSinceStart(), 10.0);
    EXPECT_FALSE(LockHeld(LocatorPath(pid))) << "still alive after the target exited";
}

TEST_F(ProcessCreate, LateUserAdoptsTheCreatedLocatorAndSeesTheOutsideBuffers) {
    Child user({LATE_USER_PATH});
    ASSERT_EQ(user.ReadLine(), "waiting");
    pid_t pid = user.pid();
    ASSERT_NE(access(LocatorPath(pid).c_str(), F_OK), 0) << "the late user made a locator before using the library";
    buffers_process *process = nullptr;
    ASSERT_EQ(buffers_process_open((uint32_t)pid, &process), BUFFERS_OK) << buffers_last_error();
    std::vector<uint8_t> bytes = {0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02};
    uintptr_t at = AppendThere(process, pid, {0, kTwoGiB, 64}, bytes);
    buffers_process_close(process);
    int fd = open(LocatorPath(pid).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    uintptr_t recorded = FirstWord(fd);
    close(fd);

    ASSERT_TRUE(user.Write("go\n"));
    std::vector<std::string> lines;
    for (std::string line; (line = user.ReadLine()) != "done" && !line.empty();) lines.push_back(line);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "locator " + Hex(recorded)) << "the late user did not adopt the created locator";
    bool seen = false;
    for (const std::string &line : lines)
        seen |= line.rfind("buffer " + Hex(at) + " ", 0) == 0 && line.find(" deadbeef0102") != std::string::npos;
    EXPECT_TRUE(seen) << "the outside buffer at " << Hex(at) << " is not in its chain with its bytes";
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string &l) { return l.rfind("own 0x", 0) == 0; }))
        << lines.back();
    ASSERT_TRUE(user.Write("exit\n"));
    int status = user.Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// The target's own first call comes while a creation for it is in flight and held for over
// FILE_SETUP_WAIT_MS (here the writer, a fork, is stopped for 0.8 s with the setup lock held): the
// target waits for it and adopts the locator, instead of giving the file up for a second locator
// of its own in the per-user directory and leaving the created mapping unused (issue 16, point 6).
TEST_F(ProcessCreate, FirstCallDuringALongCreationWaitsForItAndAdoptsTheLocator) {
    Child user({LATE_USER_PATH, "in-thread"});   // the session stops its main thread, not the user
    ASSERT_EQ(user.ReadLine(), "waiting");
    pid_t pid = user.pid();
    pid_t writer = fork();
    if (writer == 0) {
        buffers_process *process = nullptr;
        _exit(buffers_process_open((uint32_t)pid, &process) == BUFFERS_OK ? 0 : 1);
    }
    bool creating = false;   // the file exists and is marked as being created: the creation is under way
    for (int i = 0; i < 10000 && !creating; i++) {
        creating = LockHeld(LocatorPath(pid), 2);
        if (!creating) std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    EXPECT_TRUE(creating) << "the creation was not seen under way";
    ASSERT_EQ(kill(writer, SIGSTOP), 0);
    ASSERT_TRUE(user.Write("go\n"));
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    ASSERT_EQ(kill(writer, SIGCONT), 0);
    int status = -1;
    ASSERT_EQ(waitpid(writer, &status, 0), writer);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the creation failed: " << status;
    int fd = open(LocatorPath(pid).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    uintptr_t recorded = FirstWord(fd);
    close(fd);
    std::vector<std::string> lines;
    for (std::string line; (line = user.ReadLine()) != "done" && !line.empty();) lines.push_back(line);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "locator " + Hex(recorded)) << "the target did not adopt the created locator";
    std::string per_user = root + "/.reloaded-" + std::to_string(geteuid()) + "/memory.buffers";
    EXPECT_TRUE(FullFs::Files(per_user).empty()) << "a second locator was made in " << per_user;
    std::string maps = Maps(pid);
    size_t mapped = 0;
    for (size_t at = maps.find("memory.buffers/"); at != std::string::npos; at = maps.find("memory.buffers/", at + 1))
        mapped++;
    EXPECT_EQ(mapped, 1u) << "locator files mapped in the target:\n" << maps;
    ASSERT_TRUE(user.Write("exit\n"));
    status = user.Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST_F(ProcessCreate, StaleFileUnderTheTargetsNameIsReplacedNotReused) {
    Child sleeper({"sleep", "30"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    pid_t pid = sleeper.pid();
    int planted = Plant(pid, 0x7F0000000000);   // a dead process's file: nobody holds it alive
    buffers_process *process = nullptr;
    ASSERT_EQ(buffers_process_open((uint32_t)pid, &process), BUFFERS_OK) << buffers_last_error();
    buffers_process_close(process);
    struct stat old_file, new_file;
    ASSERT_EQ(fstat(planted, &old_file), 0);
    ASSERT_EQ(stat(LocatorPath(pid).c_str(), &new_file), 0);
    EXPECT_NE(new_file.st_ino, old_file.st_ino) << "the stale file was reused";
    EXPECT_EQ(old_file.st_nlink, 0u) << "the stale file is still linked";
    EXPECT_EQ(FirstWord(planted), (uintptr_t)0x7F0000000000) << "the stale file's bytes were changed";
    close(planted);
}

// As the target's own library would: another user's file in the shared directory sends the
// locator to the per-user directory, and the planted file is not touched.
TEST_F(ProcessCreate, AnotherUsersFileUnderTheTargetsNameSendsItToThePerUserDirectory) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root, to plant a file of another user";
    Child sleeper({"sleep", "30"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    pid_t pid = sleeper.pid();
    int planted = Plant(pid, 0);
    ASSERT_EQ(fchown(planted, 65534, 65534), 0) << strerror(errno);
    buffers_process *process = nullptr;
    ASSERT_EQ(buffers_process_open((uint32_t)pid, &process), BUFFERS_OK) << buffers_last_error();
    buffers_process_close(process);
    std::string per_user = root + "/.reloaded-" + std::to_string(geteuid()) + "/memory.buffers/" + kName +
                           std::to_string(pid);
    int fd = open(per_user.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0) << "no locator in the per-user directory: " << strerror(errno);
    struct stat st;
    ASSERT_EQ(fstat(fd, &st), 0);
    EXPECT_NE(MapsLineAt(Maps(pid), FirstWord(fd)).find(" " + std::to_string(st.st_ino) + " "), std::string::npos);
    close(fd);
    EXPECT_EQ(FirstWord(planted), 0u) << "the other user's file was changed";
    close(planted);
}

TEST_F(ProcessCreate, LiveFileUnderTheTargetsNameIsLeftAloneAndTheTargetUnchanged) {
    Child sleeper({"sleep", "30"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    pid_t pid = sleeper.pid();
    int planted = Plant(pid, 0);
    struct flock alive = {};   // held alive by this process, as by a namesake in another PID namespace
    alive.l_type = F_RDLCK;
    alive.l_whence = SEEK_SET;
    alive.l_len = 1;
    ASSERT_EQ(fcntl(planted, F_OFD_SETLK, &alive), 0) << strerror(errno);
    ExpectRefusedAndUnchanged(pid, BUFFERS_ERROR_LOCATOR, "is in use");
    struct stat now, before;
    ASSERT_EQ(fstat(planted, &before), 0);
    ASSERT_EQ(stat(LocatorPath(pid).c_str(), &now), 0);
    EXPECT_EQ(now.st_ino, before.st_ino);
    uint8_t byte = 0;
    EXPECT_EQ(pread(planted, &byte, 1, 8), 1);
    EXPECT_EQ(byte, 0xA5) << "the live file's bytes were changed";
    EXPECT_EQ(FirstWord(planted), 0u);
    close(planted);
}

TEST_F(ProcessCreate, TargetThatCannotOpenTheFileIsLeftUnchanged) {
    Child sleeper({"sleep", "30"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    struct rlimit three = {3, 3};   // no descriptor above 2: its openat fails with EMFILE
    ASSERT_EQ(prlimit(sleeper.pid(), RLIMIT_NOFILE, &three, nullptr), 0) << strerror(errno);
    ExpectRefusedAndUnchanged(sleeper.pid(), BUFFERS_ERROR_LOCATOR, "Too many open files");
    EXPECT_NE(access(LocatorPath(sleeper.pid()).c_str(), F_OK), 0) << "the file made for it was not removed";
}

// Its own mount namespace shows another file under the same path: the descriptor check refuses it.
TEST_F(ProcessCreate, TargetThatSeesAnotherFileAtThePathIsLeftUnchanged) {
    std::string dir = SharedDir();
    std::string script = "mount -t tmpfs none '" + root + "' && mkdir -p '" + dir + "' && echo planted > '" + dir +
                         "/" + kName + "'$$ && echo ready && exec sleep 30";
    Child sleeper({"unshare", "-m", "sh", "-c", script});
    if (sleeper.ReadLine() != "ready") GTEST_SKIP() << "cannot make a mount namespace here (needs CAP_SYS_ADMIN)";
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    ExpectRefusedAndUnchanged(sleeper.pid(), BUFFERS_ERROR_LOCATOR, "is another file in process");
    EXPECT_NE(access(LocatorPath(sleeper.pid()).c_str(), F_OK), 0) << "the file made for it was not removed";
}

TEST_F(ProcessCreate, ProcessOfAnotherUserIsRefusedBeforeAnyFileIsMade) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root, to start a process as another user (nobody)";
    Child sleeper({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "30"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    ExpectRefusedAndUnchanged(sleeper.pid(), BUFFERS_ERROR_PERMISSION, "runs as user 65534");
    EXPECT_NE(access(SharedDir().c_str(), F_OK), 0) << "a directory was made for a refused target";
}

TEST_F(ProcessCreate, UnprivilegedCallerAgainstRootsSleepIsRefusedWithTheReason) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root, to run the caller as another user (nobody)";
    Child sleeper({"sleep", "30"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    std::string maps = Maps(sleeper.pid());
    std::string text = RunAsNobody([&] {   // open root's process
        buffers_process *process = nullptr;
        int status = buffers_process_open((uint32_t)sleeper.pid(), &process);
        return std::to_string(status) + " " + buffers_last_error() + (process ? " (a handle was set)" : "");
    });
    EXPECT_EQ(text.rfind(std::to_string(BUFFERS_ERROR_PERMISSION) + " ", 0), 0u) << text;
    EXPECT_NE(text.find("runs as user 0"), std::string::npos) << text;
    EXPECT_NE(text.find("CAP_SYS_PTRACE"), std::string::npos) << text;
    EXPECT_EQ(text.find("a handle was set"), std::string::npos) << text;
    EXPECT_EQ(Maps(sleeper.pid()), maps);
    EXPECT_NE(access(LocatorPath(sleeper.pid()).c_str(), F_OK), 0);
}

// The writer runs in a fork: on the old code it died of SIGBUS initialising a sparse file, and the
// target kept a mapping of it.
TEST_F(ProcessCreateFullFs, CreatingALocatorOnAFullFileSystemFailsAndLeavesTheTargetAsItWas) {
    Child sleeper({"sleep", "30"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    pid_t pid = sleeper.pid();
    ASSERT_TRUE(fs.Fill());
    std::string maps = Maps(pid);
    std::set<std::string> descriptors = Descriptors(pid);
    ForkResult run = RunInFork([&] {
        buffers_process *process = nullptr;
        buffers_status status = buffers_process_open((uint32_t)pid, &process);
        return std::string(buffers_status_name(status)) + " " + buffers_last_error() +
               (process ? " (a handle was set)" : "");
    });
    ASSERT_TRUE(run.ExitedCleanly()) << "the writer was " << run.HowItEnded() << ": " << run.text;
    EXPECT_EQ(run.text.rfind("BUFFERS_ERROR_LOCATOR ", 0), 0u) << run.text;
    EXPECT_NE(run.text.find("No space left on device"), std::string::npos) << run.text;
    EXPECT_EQ(run.text.find("a handle was set"), std::string::npos) << run.text;
    EXPECT_EQ(Maps(pid), maps) << "the target's memory map changed";
    EXPECT_EQ(Descriptors(pid), descriptors) << "the target's descriptors changed";
    EXPECT_EQ(StatusField(pid, "TracerPid:"), "0");
    EXPECT_TRUE(Asleep(pid)) << "not asleep as before";
    EXPECT_TRUE(FullFs::Files(SharedDir()).empty()) << "a file was left behind in " << SharedDir();
    std::string per_user = root + "/.reloaded-" + std::to_string(geteuid()) + "/memory.buffers";
    EXPECT_TRUE(FullFs::Files(per_user).empty()) << "a file was left behind in " << per_user;
}

// A seccomp filter in the target refusing the close or munmap a creating session injects (issue 16,
// point 6). Refused outright: seen by harmless probes first, and nothing is done there.
TEST_F(ProcessCreate, TargetWhoseFilterRefusesCloseOrMunmapIsLeftUnchanged) {
    for (const char *mode : {"close", "munmap"}) {
        SCOPED_TRACE(mode);
        Child target({SECCOMP_TARGET_PATH, mode});
        ASSERT_EQ(target.ReadLine(), "ready");
        ASSERT_TRUE(target.WaitUntilBlockedIn(SYS_clock_nanosleep));
        ExpectRefusedAndUnchanged(target.pid(), BUFFERS_ERROR_PERMISSION, std::string("refuses ") + mode);
        EXPECT_NE(access(LocatorPath(target.pid()).c_str(), F_OK), 0) << "the file made for it was not removed";
    }
}

// Refused only for the real arguments: the probes pass, the refusal is seen when it comes, the rest
// is undone, and the error names what the target kept.
TEST_F(ProcessCreate, TargetRefusingTheRealCloseIsReportedWithTheDescriptorItKeeps) {
    Child target({SECCOMP_TARGET_PATH, "close-above-2"});
    ASSERT_EQ(target.ReadLine(), "ready");
    ASSERT_TRUE(target.WaitUntilBlockedIn(SYS_clock_nanosleep));
    pid_t pid = target.pid();
    std::string maps = Maps(pid);
    std::set<std::string> before = Descriptors(pid);
    buffers_process *process = nullptr;
    ExpectFailure(buffers_process_open((uint32_t)pid, &process), BUFFERS_ERROR_PERMISSION, "refused to close");
    std::string text = buffers_last_error();
    EXPECT_NE(text.find("stays open (close refused)"), std::string::npos) << text;
    EXPECT_EQ(Maps(pid), maps) << "the mapping of the file was not undone";
    std::set<std::string> after = Descriptors(pid);
    std::vector<std::string> added;
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::back_inserter(added));
    ASSERT_EQ(added.size(), 1u) << "the one descriptor the target refused to close";
    std::string fd = added[0].substr(0, added[0].find(' '));
    EXPECT_NE(text.find("descriptor " + fd + " of the (removed) file stays open"), std::string::npos) << text;
    EXPECT_TRUE(Asleep(pid));
    EXPECT_NE(access(LocatorPath(pid).c_str(), F_OK), 0) << "the file made for it was not removed";
}

TEST_F(ProcessCreate, TargetRefusingTheRealMunmapIsReportedWithThePageItKeeps) {
    Child target({SECCOMP_TARGET_PATH, "munmap-placed"});
    ASSERT_EQ(target.ReadLine(), "ready");
    ASSERT_TRUE(target.WaitUntilBlockedIn(SYS_clock_nanosleep));
    pid_t pid = target.pid();
    std::set<std::string> descriptors = Descriptors(pid);
    buffers_process *process = nullptr;
    ExpectFailure(buffers_process_open((uint32_t)pid, &process), BUFFERS_ERROR_PERMISSION, "refused to unmap");
    std::string text = buffers_last_error();
    size_t at = text.find("scratch page at 0x");
    ASSERT_NE(at, std::string::npos) << text;
    uintptr_t page = std::strtoull(text.c_str() + at + strlen("scratch page at "), nullptr, 16);
    EXPECT_NE(text.find("stays mapped (munmap refused)"), std::string::npos) << text;
    EXPECT_NE(MapsLineAt(Maps(pid), page), "") << "no page at the address the error names";
    EXPECT_EQ(Descriptors(pid), descriptors) << "the descriptor was not closed";
    EXPECT_EQ(Maps(pid).find("memory.buffers"), std::string::npos) << "the file was mapped: " << Maps(pid);
    EXPECT_TRUE(Asleep(pid));
    EXPECT_NE(access(LocatorPath(pid).c_str(), F_OK), 0) << "the file made for it was not removed";
}

// The file cannot be made for a reason that is no refusal (issue 16, point 6): the status is
// BUFFERS_ERROR_LOCATOR with the OS's reason, not BUFFERS_ERROR_PERMISSION.
TEST_F(ProcessCreate, ReadOnlyRootIsALocatorErrorNamingIt) {
    FullFs read_only;
    std::string why = read_only.Mount(root, 64, true);
    if (!why.empty()) GTEST_SKIP() << why;
    Child sleeper({"sleep", "30"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    ExpectRefusedAndUnchanged(sleeper.pid(), BUFFERS_ERROR_LOCATOR, "Read-only file system");
}

TEST_F(ProcessCreate, WriterOutOfDescriptorsIsALocatorErrorNamingIt) {
    Child sleeper({"sleep", "30"});
    ASSERT_TRUE(sleeper.WaitUntilBlockedIn(SYS_clock_nanosleep));
    pid_t pid = sleeper.pid();
    std::string maps = Maps(pid);
    ForkResult run = RunInFork([&] {
        // Every descriptor taken but three: the process watch gets two (its pidfd and the target's
        // /proc/<pid>/mem), the root directory the third.
        std::vector<int> held;
        for (int fd; (fd = dup(STDIN_FILENO)) >= 0;) held.push_back(fd);
        for (int n = 0; n < 3; n++) {
            close(held.back());
            held.pop_back();
        }
        buffers_process *process = nullptr;
        buffers_status status = buffers_process_open((uint32_t)pid, &process);
        return std::string(buffers_status_name(status)) + " " + buffers_last_error();
    });
    ASSERT_TRUE(run.ExitedCleanly()) << run.HowItEnded();
    EXPECT_EQ(run.text.rfind("BUFFERS_ERROR_LOCATOR ", 0), 0u) << run.text;
    EXPECT_NE(run.text.find("Too many open files"), std::string::npos) << run.text;
    EXPECT_EQ(Maps(pid), maps);
    EXPECT_TRUE(Asleep(pid));
}
