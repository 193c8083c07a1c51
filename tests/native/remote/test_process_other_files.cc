// Linux x86-64 and aarch64: the locator files of another process as the writer finds them
// (vmem_shared_open_other, issue 16 point 6): they must pass the directory rules our own locator's
// do (docs/locator-security.md rules 1-3), and a live locator of another user is named for what it
// is, not reported missing.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <string>

#include "remote_process.h"
#include "test_support.h"

namespace {
using namespace remote_process;

const char kName[] = "Reloaded.Memory.Buffers.MemoryBuffer, PID ";

class OtherFiles : public RemoteScratchRoot {
  protected:
    // A process_buffers_peer in the shrink role (made its locator, waits), started by argv's prefix.
    void Start(std::vector<std::string> prefix) {
        prefix.insert(prefix.end(), {peer, "shrink", "0"});
        target.reset(new Child(prefix));
        ASSERT_EQ(target->ReadLine().rfind("ready", 0), 0u) << "the target did not start";
    }
    void TearDown() override {
        if (target) {
            target->Write("exit\n");
            EXPECT_EQ(target->Wait(), 0);
        }
        RemoteScratchRoot::TearDown();
    }

    // vmem_shared_open_other on the target's first locator: 0, or the error with where.
    std::string OpenOther(int *error) {
        vmem_shared view;
        uintptr_t recorded = 0;
        std::string name = kName + std::to_string(target->pid());
        *error = vmem_shared_open_other((uint32_t)target->pid(), name.c_str(), 4096, &view, &recorded);
        if (*error == 0) vmem_shared_close_other(&view);
        return view.where;
    }

    std::string peer = PROCESS_BUFFERS_PEER_PATH;
    std::unique_ptr<Child> target;
};

// The old code opened the file by its full path: the symlink was followed.
TEST_F(OtherFiles, ASymlinkedSharedDirectoryIsRefusedForAnotherProcessAsForOurOwn) {
    ASSERT_NO_FATAL_FAILURE(Start({}));
    int error = -1;
    ASSERT_EQ((OpenOther(&error), error), 0) << "the target's locator is not found where it was made";
    ASSERT_EQ(rename((root + "/.reloaded").c_str(), (root + "/elsewhere").c_str()), 0) << strerror(errno);
    ASSERT_EQ(symlink("elsewhere", (root + "/.reloaded").c_str()), 0) << strerror(errno);
    std::string where = OpenOther(&error);
    EXPECT_EQ(error, EACCES) << where;
    EXPECT_NE(where.find("'.reloaded' is a symlink"), std::string::npos) << where;
}

TEST_F(OtherFiles, AWorldWritableNonStickyDirectoryIsRefusedForAnotherProcessAsForOurOwn) {
    ASSERT_NO_FATAL_FAILURE(Start({}));
    ASSERT_EQ(chmod(SharedDir().c_str(), 0777), 0) << strerror(errno);
    int error = -1;
    std::string where = OpenOther(&error);
    EXPECT_EQ(error, EACCES) << where;
    EXPECT_NE(where.find("'memory.buffers' is writable by others and not sticky"), std::string::npos) << where;
}

// Root may ptrace the target, but uses no other user's locator file (nor makes a second locator for
// that process): the refusal says whose file it found and as whom to run. It used to say "has no
// locator".
TEST_F(OtherFiles, RootAgainstAnotherUsersLocatorSaysWhoseItIs) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root, to start a process as another user (nobody)";
    // Directories made by root, as anyone's first use makes them; the peer copied where nobody may run it.
    ASSERT_EQ(chmod(root.c_str(), 0755), 0);
    ASSERT_EQ(mkdir((root + "/.reloaded").c_str(), 0700), 0);
    ASSERT_EQ(chmod((root + "/.reloaded").c_str(), 01777), 0);
    ASSERT_EQ(mkdir(SharedDir().c_str(), 0700), 0);
    ASSERT_EQ(chmod(SharedDir().c_str(), 01777), 0);
    std::string copy = root + "/peer";
    ASSERT_EQ(std::system(("cp '" + peer + "' '" + copy + "' && chmod 755 '" + copy + "'").c_str()), 0);
    peer = copy;
    ASSERT_NO_FATAL_FAILURE(Start({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}));
    buffers_process *process = nullptr;
    ExpectFailure(buffers_process_open((uint32_t)target->pid(), &process), BUFFERS_ERROR_PERMISSION,
                  "process " + std::to_string(target->pid()) + " has a locator file of user 65534");
    std::string text = buffers_last_error();
    EXPECT_NE(text.find("run as user 65534"), std::string::npos) << text;
    EXPECT_EQ(text.find("has no locator"), std::string::npos) << text;
    EXPECT_EQ(process, nullptr);
}

}  // namespace
