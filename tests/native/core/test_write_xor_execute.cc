// Write-xor-execute buffers, each scenario in a fresh process (helpers/wx_probe.c): the mode is
// chosen once per process, before the first use.
#include <gtest/gtest.h>

#include <string>

#include "process_runner.h"

namespace {
const std::string kProbe = std::string(HELPER_LAUNCHER) + WX_PROBE_PATH;

class WriteXorExecute : public ScratchRoot {
protected:
    // The probe's scenario in a fresh process, the environment variable unset unless env sets it.
    RunResult Probe(const std::string &scenario, const std::string &env = "") {
        return RunWithRoot(root, (env.empty() ? "env -u BUFFERS_WRITE_XOR_EXECUTE " : env + " ") + kProbe + " " + scenario);
    }
};
}  // namespace

// 8 threads x 1,250 appends of code while 2 threads keep calling code already in the same pages:
// no fault, every byte as written, and no buffer page writable and executable.
TEST_F(WriteXorExecute, AppendsWhileOthersRunCodeInTheSamePages) {
    RunResult run = Probe("stress");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("appends"), "10000");
    EXPECT_EQ(run.Field("wx_views"), "0");
    EXPECT_NE(run.Field("code_views"), "0");
    EXPECT_NE(run.output.find("buffers_use_write_xor_execute()"), std::string::npos) << run.output;
}

// A system that refuses writable and executable mappings (as SELinux execmem does, here a seccomp
// filter answering EACCES) gets write-xor-execute buffers without asking, and is told so once.
TEST_F(WriteXorExecute, TakenByItselfWhenTheSystemRefusesWritableAndExecutable) {
    if (std::string(HELPER_LAUNCHER).find("qemu") != std::string::npos)
        GTEST_SKIP() << "qemu-user refuses seccomp filters (EINVAL); tests/kernel runs this on a real aarch64 kernel";
    RunResult run = Probe("seccomp");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("status"), "BUFFERS_OK");
    EXPECT_EQ(run.Field("called"), "42");
    EXPECT_NE(run.output.find("note=BUFFERS_OK: write-xor-execute buffers"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("taken by itself: the system refused"), std::string::npos) << run.output;
}

// A refusal that still happens (here only reservations at a chosen address are refused, so the mode
// is not taken) is reported as the policy it is, not as a lack of space.
TEST_F(WriteXorExecute, ARefusalByPolicyIsPermissionNotNoSpace) {
    if (std::string(HELPER_LAUNCHER).find("qemu") != std::string::npos)
        GTEST_SKIP() << "qemu-user refuses seccomp filters (EINVAL); tests/kernel runs this on a real aarch64 kernel";
    RunResult run = Probe("seccomp-placed");
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("status"), "BUFFERS_ERROR_PERMISSION") << run.output;
    EXPECT_NE(run.output.find("SELinux execmem"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("BUFFERS_WRITE_XOR_EXECUTE=1"), std::string::npos) << run.output;
}

TEST_F(WriteXorExecute, EnvironmentVariableChoosesIt) {
    RunResult run = Probe("reserve", "BUFFERS_WRITE_XOR_EXECUTE=1");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("distinct"), "1") << "the writable address is another view";
    EXPECT_EQ(run.Field("called"), "7");
    EXPECT_NE(run.output.find("BUFFERS_WRITE_XOR_EXECUTE=1"), std::string::npos) << run.output;
}

TEST_F(WriteXorExecute, OrdinaryModeReservesOneAddress) {
    RunResult run = Probe("reserve");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("distinct"), "0");
    EXPECT_EQ(run.Field("called"), "7");
}

TEST_F(WriteXorExecute, UnknownEnvironmentValueIsRefused) {
    RunResult run = Probe("reserve", "BUFFERS_WRITE_XOR_EXECUTE=yes");
    EXPECT_NE(run.exit_code, 0);
    EXPECT_NE(run.output.find("expected '1' or '0'"), std::string::npos) << run.output;
}

TEST_F(WriteXorExecute, AskingAfterTheFirstUseIsAClearError) {
    RunResult run = Probe("late");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("late_status"), "BUFFERS_ERROR_LOCATOR");
    EXPECT_NE(run.output.find("before the first use"), std::string::npos) << run.output;
}

// Items are claims: a planted item whose trailer names a writable view of another object, or of the
// same object at another offset, is never handed out and nothing is written there.
TEST_F(WriteXorExecute, PlantedItemsWithAForeignWritableViewAreRefused) {
    RunResult run = Probe("plant");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("another-object"), "BUFFERS_ERROR_NO_SPACE");
    EXPECT_EQ(run.Field("another-offset"), "BUFFERS_ERROR_NO_SPACE");
    EXPECT_NE(run.output.find("not paired with a read+write view"), std::string::npos) << run.output;
    EXPECT_EQ(run.Field("untouched"), "1");
    EXPECT_EQ(run.Field("another-object_commit"), "BUFFERS_ERROR_INVALID_ARGUMENT") << "only verified entries count";
    EXPECT_EQ(run.Field("another-offset_commit"), "BUFFERS_ERROR_INVALID_ARGUMENT");
}

// A window of layout 1 stores at the address code runs from: in this mode that view is read+execute,
// so it must always take the call. Layout 2 (this header's) stores through the writable view inline,
// and so do the item's inline append and release after buffers_window_get.
TEST_F(WriteXorExecute, AWindowKeptByTheCallerWritesThroughTheWritableView) {
    RunResult run = Probe("window", "");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("inline1"), "0") << run.output;
    EXPECT_EQ(run.Field("inline"), "1") << run.output;
    EXPECT_EQ(run.Field("written"), "300") << run.output;
}
