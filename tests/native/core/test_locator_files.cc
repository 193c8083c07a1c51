// The locator file on disk: creation, adoption rules, stale files and planted traps. Each case runs
// locator_probe, a fresh process, against a scratch root directory.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "maps_path.h"
#include "process_runner.h"

namespace {
const std::string kProbe = std::string(HELPER_LAUNCHER) + LOCATOR_PROBE_PATH;
const std::string kPrefix = "Reloaded.Memory.Buffers.MemoryBuffer, PID ";

bool Exists(const std::string &path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

void Touch(const std::string &path) { std::ofstream(path) << "stale"; }

std::string ReadAll(const std::string &path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class LocatorFiles : public ScratchRoot {
protected:
    void MakeSharedDir() {
        ASSERT_EQ(mkdir((root + "/.reloaded").c_str(), 01777), 0);
        ASSERT_EQ(mkdir(SharedDir().c_str(), 01777), 0);
    }
};
}  // namespace

TEST_F(LocatorFiles, NewProcessCreatesItsFileRecordingTheLocator) {
    RunResult run = RunWithRoot(root, kProbe + " plain");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.Field("locator"), "0");
    EXPECT_EQ(run.Field("file_this"), run.Field("locator")) << run.output;
    EXPECT_EQ(run.Field("dir"), SharedDir());
    struct stat st;
    ASSERT_EQ(stat(SharedDir().c_str(), &st), 0);
    EXPECT_TRUE(st.st_mode & S_ISVTX) << "the shared directory is sticky";
}

TEST_F(LocatorFiles, FileIsPrivateToItsOwner) {
    // A helper that stays alive is not needed: the file outlives the probe until cleanup.
    RunResult run = RunWithRoot(root, kProbe + " plain");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    bool checked = false;
    std::string listing = RunWithRoot(root, "ls '" + SharedDir() + "'").output;
    std::istringstream names(listing);
    for (std::string name; std::getline(names, name);) {
        struct stat st;
        ASSERT_EQ(lstat((SharedDir() + "/" + name).c_str(), &st), 0) << name;
        EXPECT_TRUE(S_ISREG(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
        checked = true;
    }
    EXPECT_TRUE(checked) << "no locator file found in " << SharedDir();
}

TEST_F(LocatorFiles, GarbageFileForOurOwnPidIsReplaced) {
    RunResult run = RunWithRoot(root, kProbe + " garbage");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("file_this"), run.Field("locator")) << run.output;
    EXPECT_EQ(run.Field("dir"), SharedDir());
}

TEST_F(LocatorFiles, StaleFileNamingALiveAddressIsNotTrusted) {
    // PID reuse: the file's "this address" is mapped in the new process, but not as this file.
    RunResult run = RunWithRoot(root, kProbe + " fake-live");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.Field("locator"), run.Field("fake")) << run.output;
    EXPECT_EQ(run.Field("file_this"), run.Field("locator")) << run.output;
}

TEST_F(LocatorFiles, PlantedSymlinkIsNeverFollowed) {
    RunResult run = RunWithRoot(root, kProbe + " symlink");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(ReadAll(root + "/victim"), "victim") << "the symlink's target was written";
    EXPECT_EQ(run.Field("dir"), root + "/.reloaded-" + std::to_string(geteuid()) + "/memory.buffers")
        << "falls back to the per-user directory: " << run.output;
    EXPECT_EQ(run.Field("file_this"), run.Field("locator")) << run.output;
}

TEST_F(LocatorFiles, SymlinkedSharedDirectoryIsRefused) {
    ASSERT_EQ(mkdir((root + "/elsewhere").c_str(), 0777), 0);
    ASSERT_EQ(symlink((root + "/elsewhere").c_str(), (root + "/.reloaded").c_str()), 0);
    RunResult run = RunWithRoot(root, kProbe + " plain");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("dir"), root + "/.reloaded-" + std::to_string(geteuid()) + "/memory.buffers") << run.output;
    EXPECT_FALSE(Exists(root + "/elsewhere/memory.buffers")) << "nothing was created through the symlink";
}

TEST_F(LocatorFiles, WorldWritableNonStickyDirectoryIsRefused) {
    ASSERT_EQ(mkdir((root + "/.reloaded").c_str(), 0700), 0);
    ASSERT_EQ(chmod((root + "/.reloaded").c_str(), 0777), 0);   // anyone could swap files in it
    RunResult run = RunWithRoot(root, kProbe + " plain");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("dir"), root + "/.reloaded-" + std::to_string(geteuid()) + "/memory.buffers") << run.output;
}

TEST_F(LocatorFiles, DeadProcessFilesAreRemovedByFullPath) {
    MakeSharedDir();
    std::string dead = SharedDir() + "/" + kPrefix + std::to_string(DeadPid());
    std::string live = SharedDir() + "/" + kPrefix + std::to_string(getpid());
    std::string odd = SharedDir() + "/" + kPrefix + "12x";
    Touch(dead);
    Touch(live);
    Touch(odd);
    // Run from another working directory: a bare-name unlink (the reference bug) would miss.
    RunResult run = RunWithRoot(root, "sh -c 'cd / && exec " + kProbe + " plain'");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_FALSE(Exists(dead)) << "a dead process's file stays";
    EXPECT_TRUE(Exists(live)) << "a live process's file was removed";
    EXPECT_TRUE(Exists(odd)) << "a file that does not end in a pid was removed";
}

TEST_F(LocatorFiles, AnotherUsersStaleFileIsLeftAlone) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to make a file owned by another user";
    MakeSharedDir();
    std::string theirs = SharedDir() + "/" + kPrefix + std::to_string(DeadPid());
    Touch(theirs);
    ASSERT_EQ(chown(theirs.c_str(), 65534, 65534), 0);
    RunResult run = RunWithRoot(root, kProbe + " plain");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_TRUE(Exists(theirs));
}

TEST_F(LocatorFiles, FileOwnedByAnotherUserIsNeverMapped) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to make a file owned by another user";
    // Stand in for the probe's own file: run the probe as a shell child whose pid is known first.
    MakeSharedDir();
    RunResult run = RunWithRoot(root, "sh -c 'f=\"" + SharedDir() + "/" + kPrefix +
                                          "$$\"; echo x > \"$f\"; chown 65534 \"$f\"; exec " + kProbe + " plain'");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("dir"), root + "/.reloaded-" + std::to_string(geteuid()) + "/memory.buffers") << run.output;
}

// Further locators' files (docs/format.md): the pid is parsed out of "..., after 0x<hex>" (and its
// derived "#n"); the same rules as for first locators decide.
TEST_F(LocatorFiles, DeadProcessFurtherLocatorFilesAreRemovedToo) {
    MakeSharedDir();
    pid_t dead_pid = DeadPid();
    std::string dead = SharedDir() + "/" + FurtherLocatorName(dead_pid, 0x7f0012345000);
    std::string dead_derived = dead + " #3";
    std::string live = SharedDir() + "/" + FurtherLocatorName(getpid(), 0x7f0012345000);
    std::string odd = SharedDir() + "/" + kPrefix + std::to_string(dead_pid) + ", after 0x";
    std::string upper = SharedDir() + "/" + kPrefix + std::to_string(dead_pid) + ", after 0xABC";
    for (const std::string *path : {&dead, &dead_derived, &live, &odd, &upper}) Touch(*path);
    RunResult run = RunWithRoot(root, kProbe + " plain");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_FALSE(Exists(dead)) << "a dead process's further file stays";
    EXPECT_FALSE(Exists(dead_derived)) << "a dead process's derived further file stays";
    EXPECT_TRUE(Exists(live)) << "a live process's further file was removed";
    EXPECT_TRUE(Exists(odd)) << "a name without an address was taken for a further locator's";
    EXPECT_TRUE(Exists(upper)) << "an address not in lowercase hex was taken for one";
}
