// Linux: locator files on a full file system (issue 16, point 1). The files are mapped shared; a
// store into a block the file system cannot give would kill the process with SIGBUS, so blocks are
// reserved before mapping and a full file system is an error (or the private-memory fallback of a
// further locator), with no file left behind. A small tmpfs, filled to its last block, is the root.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "full_fs.h"
#include "maps_path.h"
#include "process_runner.h"
#include "test_shim.h"

namespace {
const std::string kProbe = std::string(HELPER_LAUNCHER) + LOCATOR_PROBE_PATH;
const std::string kFirstPrefix = "Reloaded.Memory.Buffers.MemoryBuffer, PID ";

class LocatorFullFs : public ScratchRoot {
  protected:
    void SetUp() override {
        ScratchRoot::SetUp();
        if (HasFatalFailure()) return;
        std::string why = fs.Mount(root);
        if (!why.empty()) GTEST_SKIP() << why;
    }
    void TearDown() override {
        fs.Unmount();
        ScratchRoot::TearDown();
    }
    std::string PerUserDir() const { return root + "/.reloaded-" + std::to_string(geteuid()) + "/memory.buffers"; }
    FullFs fs;
};
}  // namespace

TEST_F(LocatorFullFs, FirstCallOnAFullFileSystemIsALocatorErrorNamingTheCause) {
    ASSERT_TRUE(fs.Fill());
    RunResult run = RunWithRoot(root, kProbe + " plain");
    ASSERT_NE(run.exit_code, 128 + SIGBUS) << "the first call died of SIGBUS: " << run.output;
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("error=BUFFERS_ERROR_LOCATOR"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("No space left on device"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find(SharedDir()), std::string::npos) << "names the shared directory: " << run.output;
    EXPECT_NE(run.output.find(PerUserDir()), std::string::npos) << "names the fallback: " << run.output;
    EXPECT_NE(run.output.find("BUFFERS_SHARED_ROOT names another folder"), std::string::npos)
        << "says which setting moves the directories: " << run.output;
    EXPECT_TRUE(FullFs::Files(SharedDir()).empty()) << "a file was left behind in " << SharedDir();
    EXPECT_TRUE(FullFs::Files(PerUserDir()).empty()) << "a file was left behind in " << PerUserDir();
}

// The chain outgrows its first locator after the file system filled up: the further locator is
// private memory (docs/format.md, "Further locators"), the chain works, no file is left half-made.
TEST_F(LocatorFullFs, FurtherLocatorOnAFullFileSystemIsPrivateMemory) {
    std::string first_name;
    ForkResult run = RunInFork([&]() -> std::string {
        setenv("BUFFERS_SHARED_ROOT", root.c_str(), 1);
        uintptr_t first = 0;
        if (shim_finder_open((kFirstPrefix + std::to_string(getpid())).c_str(), &first) != BUFFERS_OK)
            return std::string("first: ") + buffers_last_error();
        if (!fs.Fill()) return "the file system could not be filled";
        void *item = nullptr;
        for (size_t i = 0; i <= shim_max_items(); i++) {
            if (shim_locator_register(reinterpret_cast<void *>(first), 0x10000000 + i * 0x1000, 0x1000, &item) !=
                BUFFERS_OK)
                return std::string("register: ") + buffers_last_error();
            shim_item_unlock(item);
        }
        uintptr_t next = (uintptr_t)shim_locator_next(reinterpret_cast<void *>(first));
        if (!next) return "no further locator";
        void *found = shim_locator_find(reinterpret_cast<void *>(first), 16, 0x10000000 + shim_max_items() * 0x1000,
                                        0x10000000 + shim_max_items() * 0x1000 + 0xfff);
        return "pid=" + std::to_string(getpid()) + " next=[" + MappedPathAt(getpid(), next) + "]" +
               (found == item ? " found" : " lost");
    });
    ASSERT_TRUE(run.ExitedCleanly()) << "the process was " << run.HowItEnded() << ": " << run.text;
    EXPECT_NE(run.text.find(" next=[] found"), std::string::npos)
        << "the further locator is not private memory holding the new item: " << run.text;
    std::string pid = run.text.substr(4, run.text.find(' ') - 4);
    std::vector<std::string> files = FullFs::Files(SharedDir());
    EXPECT_EQ(files, std::vector<std::string>{kFirstPrefix + pid}) << "only the first locator's file is there";
}
