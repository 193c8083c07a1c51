// Two copies of libbuffers.so loaded into one process share one locator.
#include <gtest/gtest.h>

#include "process_runner.h"

namespace {
const std::string kCommand = std::string(HELPER_LAUNCHER) + TWO_COPIES_PATH + " '" + SHARED_LIBRARY_PATH + "'";
class TwoCopies : public ScratchRoot {};
}  // namespace

TEST_F(TwoCopies, OneAfterTheOtherShareTheLocatorAndItsBuffers) {
    RunResult run = RunWithRoot(root, kCommand + " sequential");
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("copy_a"), run.Field("copy_b")) << run.output;
    EXPECT_EQ(run.Field("buffer_a"), run.Field("buffer_b")) << run.output;
}

TEST_F(TwoCopies, StartingAtTheSameMomentEndWithOneLocator) {
    for (int attempt = 0; attempt < 25; attempt++) {
        RunResult run = RunWithRoot(root, kCommand + " racing");
        ASSERT_EQ(run.exit_code, 0) << "attempt " << attempt << ": " << run.output;
        ASSERT_EQ(run.Field("copy_a"), run.Field("copy_b")) << run.output;
    }
}

// The copy that made the file holds its setup lock while the file's blocks are reserved; on a busy disk
// that took longer than a waiter's 500 ms and the waiter went off to a locator of its own (seen in CI
// under load). A 700 ms fallocate stands in for the disk.
TEST_F(TwoCopies, StartingAtTheSameMomentOnASlowDiskEndWithOneLocator) {
    for (int attempt = 0; attempt < 2; attempt++) {
        RunResult run = RunWithRoot(root, kCommand + " racing-on-a-slow-disk");
        ASSERT_EQ(run.exit_code, 0) << "attempt " << attempt << ": " << run.output;
        ASSERT_EQ(run.Field("copy_a"), run.Field("copy_b")) << run.output;
    }
}

// In write-xor-execute mode (every copy reads the variable) the second copy verifies the first one's
// buffer from its trailer and appends through the same writable view.
TEST_F(TwoCopies, WriteXorExecuteCopiesShareTheirBuffers) {
    RunResult run = RunWithRoot(root, "BUFFERS_WRITE_XOR_EXECUTE=1 " + kCommand + " sequential");
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("copy_a"), run.Field("copy_b")) << run.output;
    EXPECT_EQ(run.Field("buffer_a"), run.Field("buffer_b")) << run.output;
    EXPECT_EQ(run.Field("write_xor_execute"), "1") << run.output;
}
