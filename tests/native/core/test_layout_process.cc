// The item layout chosen in a fresh process: the document's by default, Rust's through
// BUFFERS_LOCATOR_LAYOUT=rust or buffers_use_rust_layout() before the first use.
#include <gtest/gtest.h>

#include <string>

#include "process_runner.h"

namespace {
const std::string kProbe = std::string(HELPER_LAUNCHER) + LAYOUT_PROBE_PATH;

class LayoutProcess : public ScratchRoot {};
}  // namespace

TEST_F(LayoutProcess, DefaultIsTheDocumentsLayout) {
    RunResult run = RunWithRoot(root, "env -u BUFFERS_LOCATOR_LAYOUT " + kProbe);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("layout"), "document");
    EXPECT_EQ(run.Field("word8"), "0") << "taken, released";
    EXPECT_EQ(run.Field("count21"), "1");
    EXPECT_EQ(run.Field("count23"), "1");
}

TEST_F(LayoutProcess, EnvironmentVariableChoosesRustsLayout) {
    RunResult run = RunWithRoot(root, "BUFFERS_LOCATOR_LAYOUT=rust " + kProbe);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("layout"), "rust");
    EXPECT_GE(std::stoul(run.Field("word8")), 4096u) << "the size, where Rust reads it";
    EXPECT_EQ(run.Field("word16"), "0") << "taken, released, where Rust reads it";
}

TEST_F(LayoutProcess, CallBeforeFirstUseChoosesRustsLayout) {
    RunResult run = RunWithRoot(root, "env -u BUFFERS_LOCATOR_LAYOUT " + kProbe + " call");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("status"), "BUFFERS_OK");
    EXPECT_EQ(run.Field("layout"), "rust");
    EXPECT_GE(std::stoul(run.Field("word8")), 4096u);
}

TEST_F(LayoutProcess, UnknownLayoutNameIsRefused) {
    RunResult run = RunWithRoot(root, "BUFFERS_LOCATOR_LAYOUT=csharp " + kProbe);
    EXPECT_NE(run.exit_code, 0);
    EXPECT_NE(run.output.find("expected 'rust' or 'document'"), std::string::npos) << run.output;
}
